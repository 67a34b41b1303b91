package dev.cutover.server.config;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import dev.cutover.server.tls.KeyPairCheck;
import dev.cutover.server.tls.PemCertificates;
import dev.cutover.server.tls.PemException;
import dev.cutover.server.tls.PemPrivateKey;

/**
 * {@code control.tls: { cert: FILE, key: FILE }}: the files are read and checked now, so that a
 * wrong path, a DER file, a PKCS#1 key or a key of another certificate is a config error with its
 * line, not a daemon that starts and then fails every handshake.
 */
final class ControlTlsSection {

    static final String EXAMPLE = "{ cert: /etc/cutover/control.crt, key: /etc/cutover/control.key }";
    static final String CERT_HOLDS = "the daemon's certificate chain (its own certificate first)";
    static final String KEY_HOLDS = "the private key of control.tls.cert";

    private ControlTlsSection() {
    }

    /** The checked files; null when the map is wrong (each problem reported against its line). */
    static ControlTls read(MapReader control, Path base) {
        MapReader tls = control.map("tls", EXAMPLE + ", or off");
        if (tls == null) {
            return null;
        }
        boolean hasCert = tls.require("cert", "the daemon's certificate chain in PEM, e.g. tls: " + EXAMPLE);
        boolean hasKey = tls.require("key", "the certificate's private key in PEM PKCS#8, e.g. tls: " + EXAMPLE);
        String certText = hasCert ? tls.text("cert") : null;
        String keyText = hasKey ? tls.text("key") : null;
        tls.finish();
        List<X509Certificate> chain = null;
        Path certFile = null;
        if (certText != null) {
            certFile = base.resolve(certText).normalize();
            try {
                chain = PemCertificates.read(certFile, CERT_HOLDS);
            } catch (PemException e) {
                tls.problem(tls.lineOf("cert"), tls.where("cert") + ": " + e.getMessage());
            }
        }
        PrivateKey key = null;
        Path keyFile = null;
        if (keyText != null) {
            keyFile = base.resolve(keyText).normalize();
            try {
                key = PemPrivateKey.read(keyFile, KEY_HOLDS);
            } catch (PemException e) {
                tls.problem(tls.lineOf("key"), tls.where("key") + ": " + e.getMessage());
            }
        }
        if (chain == null || key == null) {
            return null;
        }
        if (!KeyPairCheck.matches(key, chain.get(0))) {
            tls.problem(tls.lineOf("key"), tls.where("key") + ": " + keyFile + " is not the private key of the certificate in "
                    + certFile + " (" + PemCertificates.subject(chain.get(0)) + "); point key at the file made together"
                    + " with that certificate");
            return null;
        }
        return new ControlTls(certFile, keyFile);
    }
}
