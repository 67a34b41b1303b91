package dev.cutover.server.control;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The JDK's own check of the daemon's certificate (chain to a trusted certificate, validity, and the
 * host name, since the socket asks for HTTPS endpoint identification), remembering what was presented
 * and which part failed, so that the CLI can say "not trusted" or "made for another name" instead of
 * "PKIX path building failed". One per connection.
 */
final class DaemonCertificateCheck extends X509ExtendedTrustManager {

    /** What failed; NONE until a check fails. */
    enum Problem { NONE, UNTRUSTED, EXPIRED, WRONG_NAME }

    private final X509ExtendedTrustManager delegate;
    private volatile X509Certificate[] presented;
    private volatile Problem problem = Problem.NONE;

    DaemonCertificateCheck(X509ExtendedTrustManager delegate) {
        this.delegate = delegate;
    }

    /** The chain the daemon presented; null before the handshake got that far. */
    X509Certificate[] presented() {
        return presented;
    }

    Problem problem() {
        return problem;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain, authType, () -> delegate.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain, authType, () -> delegate.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, authType, () -> delegate.checkServerTrusted(chain, authType));
    }

    /** One JDK check of the presented chain, remembering it and, when it fails, why. */
    private void check(X509Certificate[] chain, String authType, JdkCheck jdkCheck) throws CertificateException {
        presented = chain;
        try {
            jdkCheck.run();
        } catch (CertificateException e) {
            problem = classify(chain, authType);
            throw e;
        }
    }

    @FunctionalInterface
    private interface JdkCheck {
        void run() throws CertificateException;
    }

    /** The check without a socket skips the host name: if that passes, the name was what failed. */
    private Problem classify(X509Certificate[] chain, String authType) {
        try {
            delegate.checkServerTrusted(chain, authType);
            return Problem.WRONG_NAME;
        } catch (CertificateException untrusted) {
            try {
                chain[0].checkValidity();
                return Problem.UNTRUSTED;
            } catch (CertificateException expired) {
                return Problem.EXPIRED;
            }
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the CLI checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the CLI checks servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the CLI checks servers only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
