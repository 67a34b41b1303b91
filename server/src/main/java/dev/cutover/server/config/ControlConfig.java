package dev.cutover.server.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the daemon's control API listens.
 *
 * @param socket    the Unix socket every client command talks to (absolute; file permissions guard it)
 * @param listen    an optional TCP listener for machines that cannot reach the socket; null for none
 * @param tokenFile the file holding the bearer token the TCP listener demands; set whenever {@code listen} is
 * @param tls       the TCP listener's certificate and key; null for plain HTTP, which only a loopback listener may serve
 */
public record ControlConfig(Path socket, InetSocketAddress listen, Path tokenFile, ControlTls tls) {

    public ControlConfig {
        Objects.requireNonNull(socket, "socket");
        if (listen != null && tokenFile == null) {
            throw new IllegalArgumentException("a TCP control listener needs a token file");
        }
        if (tls != null && listen == null) {
            throw new IllegalArgumentException("TLS is for the TCP control listener, and there is none");
        }
        if (listen != null && tls == null && !listen.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("a TCP control listener on " + listen + " needs TLS: only loopback may be plain HTTP");
        }
    }

    /** Only the Unix socket, no TCP listener. */
    public ControlConfig(Path socket) {
        this(socket, null, null, null);
    }
}
