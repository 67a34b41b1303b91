package dev.cutover.server.tls;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/** X.509 certificates from a PEM file: a daemon's chain (its own certificate first), or the CAs a client trusts. */
public final class PemCertificates {

    private PemCertificates() {
    }

    /**
     * Every {@code CERTIFICATE} block of {@code file}, in order; at least one.
     *
     * @param holds what the file should hold, for messages: "the daemon's certificate chain"
     * @throws PemException naming the file: missing, unreadable, not PEM, a key instead, or a block that does not decode
     */
    public static List<X509Certificate> read(Path file, String holds) throws PemException {
        List<PemText.Block> blocks = PemText.blocks(file, holds);
        List<X509Certificate> certificates = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("this JDK cannot read X.509 certificates", e);
        }
        for (PemText.Block block : blocks) {
            if (!block.type().equals("CERTIFICATE")) {
                continue;
            }
            try {
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(block.der())));
            } catch (CertificateException | IllegalArgumentException e) {
                throw new PemException(file + " holds a CERTIFICATE block that is not a valid certificate (" + e.getMessage()
                        + "); copy the file again from where it was issued");
            }
        }
        if (!certificates.isEmpty()) {
            return certificates;
        }
        if (blocks.stream().anyMatch(b -> b.type().endsWith("PRIVATE KEY"))) {
            throw new PemException(file + " holds a private key, not a certificate; it should hold " + holds
                    + " (were cert and key swapped?)");
        }
        if (!blocks.isEmpty()) {
            throw new PemException(file + " is not a PEM certificate (it holds " + PemText.types(blocks)
                    + "); it should hold " + holds + " as -----BEGIN CERTIFICATE----- blocks");
        }
        throw new PemException(file + " is not a PEM certificate (no -----BEGIN CERTIFICATE----- line); it should hold "
                + holds + " in PEM (a DER file converts with openssl x509 -inform der -in " + file + " -out " + file + ".pem)");
    }

    /** How a certificate reads in a message: its subject, e.g. {@code CN=deploy.example.com}. */
    public static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName();
    }
}
