package dev.cutover.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real certificates for TLS tests, made at test time with the running JDK's {@code keytool} (no
 * openssl needed) and written the way an operator hands them to cutover: a PEM certificate chain
 * and a PEM PKCS#8 private key (mode 0600).
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.in(dir);
 * TestCertificates.Issued daemon = certs.selfSigned("daemon", "ip:127.0.0.1");
 * // daemon.cert(): -----BEGIN CERTIFICATE-----...   daemon.key(): -----BEGIN PRIVATE KEY-----...
 * }</pre>
 */
public final class TestCertificates {

    private static final String PASSWORD = "test-only";
    private static final long KEYTOOL_SECONDS = 60;

    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    /** Certificates written into {@code dir}, one file set per name. */
    public static TestCertificates in(Path dir) {
        return new TestCertificates(dir);
    }

    /**
     * One certificate and its key.
     *
     * @param name     what it was made as; also its CN
     * @param keystore the PKCS12 keystore keytool made (needed to sign with it)
     * @param cert     PEM: this certificate, then its issuers when it has any
     * @param key      PEM PKCS#8 private key, mode 0600
     */
    public record Issued(String name, Path keystore, Path cert, Path key) {
    }

    /**
     * A self-signed EC certificate for {@code subjectAltNames} in keytool's syntax, e.g. {@code "ip:127.0.0.1"}
     * or {@code "dns:localhost,ip:127.0.0.1"}; valid from yesterday for 2 days.
     */
    public Issued selfSigned(String name, String subjectAltNames) {
        Path keystore = generate(name, "-1d", "-ext", "SAN=" + subjectAltNames);
        return export(name, keystore, List.of());
    }

    /** A certificate authority: self-signed, may sign others. */
    public Issued authority(String name) {
        Path keystore = generate(name, "-1d", "-ext", "bc:c");
        return export(name, keystore, List.of());
    }

    /** A certificate for {@code subjectAltNames} signed by {@code ca}; its cert file holds the chain (it, then ca). */
    public Issued signedBy(Issued ca, String name, String subjectAltNames) {
        return signedBy(ca, name, subjectAltNames, "-1d");
    }

    /**
     * Like {@link #signedBy}, but expired yesterday (valid for 2 days from 3 days ago). Signed by a CA on
     * purpose: the JDK checks no dates on a trust anchor, so a self-signed certificate trusted as itself never expires.
     */
    public Issued expiredSignedBy(Issued ca, String name, String subjectAltNames) {
        return signedBy(ca, name, subjectAltNames, "-3d");
    }

    private Issued signedBy(Issued ca, String name, String subjectAltNames, String start) {
        Path keystore = generate(name, "-1d", "-ext", "SAN=" + subjectAltNames);
        Path request = dir.resolve(name + ".csr");
        Path signed = dir.resolve(name + ".signed.pem");
        keytool("-certreq", "-alias", name, "-keystore", keystore.toString(), "-storepass", PASSWORD, "-file", request.toString());
        keytool("-gencert", "-alias", ca.name(), "-keystore", ca.keystore().toString(), "-storepass", PASSWORD,
                "-infile", request.toString(), "-outfile", signed.toString(), "-rfc", "-startdate", start, "-validity", "2",
                "-ext", "SAN=" + subjectAltNames, "-ext", "EKU=serverAuth");
        try {
            return export(name, keystore, List.of(Files.readString(signed), Files.readString(ca.cert())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A key pair and its self-signed certificate, valid for 2 days from {@code start} (keytool's "-1d"). */
    private Path generate(String name, String start, String... extensions) {
        Path keystore = dir.resolve(name + ".p12");
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD, "-startdate", start, "-validity", "2"));
        args.addAll(List.of(extensions));
        keytool(args.toArray(String[]::new));
        return keystore;
    }

    /** Writes the key as PKCS#8 PEM and the chain as PEM (the given PEM texts, or the keystore's certificate). */
    private Issued export(String name, Path keystore, List<String> chainPem) {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            Key key = store.getKey(name, PASSWORD.toCharArray());
            Certificate certificate = store.getCertificate(name);
            Path cert = dir.resolve(name + ".crt");
            Path keyFile = dir.resolve(name + ".key");
            Files.writeString(cert, chainPem.isEmpty() ? pem("CERTIFICATE", certificate.getEncoded()) : String.join("", chainPem));
            Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            return new Issued(name, keystore, cert, keyFile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the keystore keytool made for " + name, e);
        }
    }

    /** {@code der} as a PEM block of {@code type}, 64 characters a line. */
    public static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(KEYTOOL_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool took longer than " + KEYTOOL_SECONDS + " s: " + command);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed (exit " + process.exitValue() + "): " + command + "\n"
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool ran", e);
        }
    }
}
