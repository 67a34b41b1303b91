package dev.cutover.server.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The TCP control listener's TLS identity, as checked when cutover.yml was loaded.
 *
 * @param certChain PEM: the daemon's certificate first, then any intermediates (absolute)
 * @param key       PEM PKCS#8, unencrypted: the private key of the chain's first certificate (absolute)
 */
public record ControlTls(Path certChain, Path key) {

    public ControlTls {
        Objects.requireNonNull(certChain, "certChain");
        Objects.requireNonNull(key, "key");
    }
}
