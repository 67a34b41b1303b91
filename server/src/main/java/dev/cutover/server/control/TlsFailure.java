package dev.cutover.server.control;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;

import dev.cutover.server.tls.PemCertificates;

/**
 * Why a TLS handshake with the daemon failed, said as what to do: trust its certificate with
 * {@code --ca-cert}, use a name the certificate lists, renew it, or speak plain HTTP to a
 * {@code tls: off} listener. Each is "cannot reach or trust the daemon" (exit 3): nothing, not even
 * the token, was sent.
 */
final class TlsFailure {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private final String url;
    private final String trustSource;
    private final String host;
    private final DaemonCertificateCheck check;
    private final int handshakeSeconds;

    TlsFailure(String url, String trustSource, String host, DaemonCertificateCheck check, int handshakeSeconds) {
        this.url = url;
        this.trustSource = trustSource;
        this.host = host;
        this.check = check;
        this.handshakeSeconds = handshakeSeconds;
    }

    DaemonUnreachableException explain(IOException e) {
        X509Certificate[] chain = check.presented();
        String cannotTrust = "cannot trust the cutover daemon at " + url + ": ";
        switch (check.problem()) {
            case UNTRUSTED -> {
                return new DaemonUnreachableException(cannotTrust + "its certificate (" + describe(chain) + ") is not signed by"
                        + " any certificate in " + trustSource + "; pass the daemon's own certificate (its control.tls.cert)"
                        + " or the CA that signed it with --ca-cert FILE", e);
            }
            case EXPIRED -> {
                X509Certificate leaf = chain[0];
                Date now = new Date();
                String when = now.before(leaf.getNotBefore())
                        ? "is not valid before " + WHEN.format(leaf.getNotBefore().toInstant()) + " (is this machine's clock right?)"
                        : "expired on " + WHEN.format(leaf.getNotAfter().toInstant());
                return new DaemonUnreachableException(cannotTrust + "its certificate (" + describe(chain) + ") " + when
                        + "; renew the daemon's control.tls.cert and restart it", e);
            }
            case WRONG_NAME -> {
                return new DaemonUnreachableException(cannotTrust + "its certificate (" + PemCertificates.subject(chain[0])
                        + ") is for " + names(chain[0]) + ", not " + host + "; use a host it names in --url, or reissue"
                        + " the daemon's control.tls.cert with " + host + " in its subjectAltName", e);
            }
            default -> {
                // not a certificate problem: the other side is not speaking TLS, or broke off
            }
        }
        String cannotReach = "cannot reach the cutover daemon at " + url + ": ";
        if (e instanceof SocketTimeoutException) {
            return new DaemonUnreachableException(cannotReach + "no TLS handshake within "
                    + handshakeSeconds + " s; a control listener with tls: off speaks plain HTTP"
                    + " (use http://, loopback only)", e);
        }
        return new DaemonUnreachableException(cannotReach + "the TLS handshake failed (" + e.getMessage() + "); a control"
                + " listener with tls: off speaks plain HTTP (use http://, loopback only), else is this the right port?", e);
    }

    private static String describe(X509Certificate[] chain) {
        X509Certificate leaf = chain[0];
        String subject = PemCertificates.subject(leaf);
        String issuer = leaf.getIssuerX500Principal().getName();
        return subject.equals(issuer) ? subject + ", self-signed" : subject + ", issued by " + issuer;
    }

    /** The names a certificate is valid for: {@code DNS:deploy.example.com, IP:10.0.0.5}. */
    private static String names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> name : alternatives) {
                    int type = (Integer) name.get(0);
                    if (type == SAN_DNS) {
                        names.add("DNS:" + name.get(1));
                    } else if (type == SAN_IP) {
                        names.add("IP:" + name.get(1));
                    }
                }
            }
        } catch (CertificateParsingException unreadable) {
            // fall through: say it names nothing we can read
        }
        return names.isEmpty() ? "no host name (it has no subjectAltName, and its CN does not count)" : String.join(", ", names);
    }
}
