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
 */
public record ControlConfig(Path socket, InetSocketAddress listen, Path tokenFile) {

    public ControlConfig {
        Objects.requireNonNull(socket, "socket");
        if (listen != null && tokenFile == null) {
            throw new IllegalArgumentException("a TCP control listener needs a token file");
        }
    }
}
