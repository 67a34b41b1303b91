package dev.cutover.server.control;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import dev.cutover.server.tls.PemCertificates;
import dev.cutover.server.tls.PemException;

/**
 * Which certificates the CLI accepts from the daemon's HTTPS control listener: the JDK's default
 * trust store, or the certificates of one PEM file ({@code --ca-cert}: the daemon's own self-signed
 * certificate, or the CA that signed it). The host name is checked either way.
 */
public final class ControlTrust {

    private final X509ExtendedTrustManager trustManager;
    private final String source;

    private ControlTrust(X509ExtendedTrustManager trustManager, String source) {
        this.trustManager = trustManager;
        this.source = source;
    }

    /** The CAs the JDK trusts (its cacerts), as a browser would. */
    public static ControlTrust jdkDefaults() {
        return new ControlTrust(trustManager(null), "the JDK's default trust store (no --ca-cert given)");
    }

    /**
     * Exactly the certificates in {@code caFile}, and nothing else.
     *
     * @throws PemException naming the file: missing, unreadable, or without a PEM certificate
     */
    public static ControlTrust pemFile(Path caFile) throws PemException {
        List<X509Certificate> certificates = PemCertificates.read(caFile,
                "the certificate to trust (the daemon's control.tls.cert, or the CA that signed it)");
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            return new ControlTrust(trustManager(store), "--ca-cert " + caFile);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot hold certificates in an in-memory key store", e);
        }
    }

    /** Where the trusted certificates come from, as a message names it: "--ca-cert /etc/cutover/ca.pem". */
    String source() {
        return source;
    }

    /** A fresh context whose checks of the daemon's certificate are recorded in {@code check}. */
    SSLContext context(DaemonCertificateCheck check) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {check}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no TLS", e);
        }
    }

    /** A check of one connection's server certificate against these trusted certificates. */
    DaemonCertificateCheck newCheck() {
        return new DaemonCertificateCheck(trustManager);
    }

    private static X509ExtendedTrustManager trustManager(KeyStore store) {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("this JDK's " + factory.getAlgorithm() + " trust manager does not check X.509");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the trust store: " + e.getMessage(), e);
        }
    }
}
