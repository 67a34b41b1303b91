package dev.cutover.server.control;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import dev.cutover.server.tls.KeyPairCheck;
import dev.cutover.server.tls.PemCertificates;
import dev.cutover.server.tls.PemException;
import dev.cutover.server.tls.PemPrivateKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/** The TCP control listener's TLS: the JDK's engine, TLS 1.2 and 1.3 only, the certificate chain and key from PEM. */
final class TlsServerContext {

    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsServerContext() {
    }

    /**
     * @throws IOException naming the file and what is wrong with it, or that the key is not the certificate's
     */
    static SslContext load(Path certChain, Path keyFile) throws IOException {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = PemCertificates.read(certChain, "the daemon's certificate chain (its own certificate first)");
            key = PemPrivateKey.read(keyFile, "the private key of " + certChain);
        } catch (PemException e) {
            throw new IOException("cannot serve the control API over TLS: " + e.getMessage(), e);
        }
        if (!KeyPairCheck.matches(key, chain.get(0))) {
            throw new IOException("cannot serve the control API over TLS: " + keyFile + " is not the private key of the"
                    + " certificate in " + certChain + " (" + PemCertificates.subject(chain.get(0)) + ")");
        }
        return SslContextBuilder.forServer(key, chain)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .build();
    }
}
