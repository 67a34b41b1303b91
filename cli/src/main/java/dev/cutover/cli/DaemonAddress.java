package dev.cutover.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.cutover.server.config.ConfigLoader;
import dev.cutover.server.control.ControlClient;
import picocli.CommandLine.Option;

/**
 * How a client command finds the daemon: its config (the control socket is in it), the socket
 * itself, or a TCP control URL with a token file (for CI machines).
 */
final class DaemonAddress {

    static final Path DEFAULT_CONFIG = Path.of("cutover.yml");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "the daemon's cutover.yml, to find its control socket (default: ./cutover.yml)")
    Path config;

    @Option(names = "--socket", paramLabel = "PATH", description = "the daemon's control socket, instead of --config")
    Path socket;

    @Option(names = "--url", paramLabel = "URL", description = "a TCP control listener, e.g. http://10.0.0.5:7070 (needs --token-file)")
    URI url;

    @Option(names = "--token-file", paramLabel = "FILE", description = "the bearer token for --url")
    Path tokenFile;

    /**
     * @throws UsageException when the options do not say where the daemon is
     */
    ControlClient client() throws UsageException {
        if (url != null) {
            if (tokenFile == null) {
                throw new UsageException("--url needs --token-file: the TCP control listener only answers with a token");
            }
            if (!"http".equalsIgnoreCase(url.getScheme()) || url.getHost() == null) {
                throw new UsageException("--url " + url + ": write it as http://HOST:PORT (the TCP control listener "
                        + "speaks plain HTTP; HTTPS is not supported yet, so keep it on a private network or a tunnel)");
            }
            try {
                String token = Files.readString(tokenFile).strip();
                int port = url.getPort() > 0 ? url.getPort() : 80;
                return ControlClient.tcp(url.getHost(), port, token);
            } catch (IOException e) {
                throw new UsageException("cannot read the token file " + tokenFile + ": " + e.getMessage());
            }
        }
        if (socket != null) {
            return ControlClient.unix(socket);
        }
        Path file = config != null ? config : DEFAULT_CONFIG;
        if (config == null && !Files.exists(file)) {
            throw new UsageException("no cutover.yml in " + Path.of("").toAbsolutePath()
                    + "; say where the daemon is with --config FILE or --socket PATH");
        }
        try {
            return ControlClient.unix(ConfigLoader.load(file).control().socket());
        } catch (Exception e) {
            throw new UsageException(e.getMessage());
        }
    }
}
