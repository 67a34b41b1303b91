package dev.cutover.server.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import java.util.Set;

/** An unencrypted PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}) from a PEM file: RSA, EC or EdDSA. */
public final class PemPrivateKey {

    /** Tried in turn: PKCS#8 names its algorithm inside, and each KeyFactory refuses the others'. */
    private static final List<String> ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS");

    private PemPrivateKey() {
    }

    /**
     * The key in {@code file}.
     *
     * @param holds what the file should hold, for messages: "the private key of control.tls.cert"
     * @throws PemException naming the file and what to do: missing, unreadable, readable by everyone,
     *                      encrypted, PKCS#1 or SEC1 instead of PKCS#8, a certificate instead, or not PEM
     */
    public static PrivateKey read(Path file, String holds) throws PemException {
        List<PemText.Block> blocks = PemText.blocks(file, holds);
        String convert = "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out " + file + ".pk8";
        for (PemText.Block block : blocks) {
            switch (block.type()) {
                case "PRIVATE KEY" -> {
                    refuseWorldReadable(file);
                    return decode(file, block);
                }
                case "ENCRYPTED PRIVATE KEY" -> throw new PemException(file + " is encrypted with a passphrase, which cutover"
                        + " cannot ask for; write it unencrypted (chmod 600) with " + convert);
                case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw new PemException(file + " is a "
                        + (block.type().startsWith("RSA") ? "PKCS#1" : "SEC1") + " key (-----BEGIN " + block.type()
                        + "-----); cutover reads PKCS#8 (-----BEGIN PRIVATE KEY-----): convert it with " + convert
                        + " and point to the new file");
                default -> {
                    // a certificate or parameters: look further
                }
            }
        }
        if (blocks.stream().anyMatch(b -> b.type().equals("CERTIFICATE"))) {
            throw new PemException(file + " holds a certificate, not a private key; it should hold " + holds
                    + " (were cert and key swapped?)");
        }
        throw new PemException(file + " is not a PEM private key (no -----BEGIN PRIVATE KEY----- line); it should hold "
                + holds + " in PEM PKCS#8");
    }

    private static PrivateKey decode(Path file, PemText.Block block) throws PemException {
        PKCS8EncodedKeySpec spec;
        try {
            spec = new PKCS8EncodedKeySpec(block.der());
        } catch (IllegalArgumentException e) {
            throw new PemException(file + " holds a PRIVATE KEY block that is not valid base64 (" + e.getMessage()
                    + "); copy the file again from where it was made");
        }
        for (String algorithm : ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | NoSuchAlgorithmException notThisOne) {
                // the next algorithm may read it
            }
        }
        throw new PemException(file + " holds a PRIVATE KEY block that is not an RSA, EC or Ed25519 key this JDK can read;"
                + " make the key with openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 (or RSA)");
    }

    /** Group-readable is allowed (Debian's ssl-cert group convention); readable by everyone is not. */
    private static void refuseWorldReadable(Path file) throws PemException {
        try {
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
                if (mode.contains(PosixFilePermission.OTHERS_READ)) {
                    throw new PemException(file + " can be read by every user (" + PosixFilePermissions.toString(mode)
                            + "); make it private with chmod 600 " + file);
                }
            }
        } catch (java.io.IOException e) {
            throw new PemException(file + " cannot be read (" + e.getMessage() + "); let the user running cutover read it");
        }
    }
}
