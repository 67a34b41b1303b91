package dev.cutover.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import dev.cutover.server.config.ConfigLoader;
import dev.cutover.server.control.ControlClient;
import dev.cutover.server.control.ControlTrust;
import dev.cutover.server.tls.PemException;
import picocli.CommandLine.Option;

/**
 * How a client command finds the daemon: its config (the control socket is in it), the socket
 * itself, or a TCP control URL with a token file (for CI machines): https, or http to loopback only.
 */
final class DaemonAddress {

    static final Path DEFAULT_CONFIG = Path.of("cutover.yml");

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "the daemon's cutover.yml, to find its control socket (default: ./cutover.yml)")
    Path config;

    @Option(names = "--socket", paramLabel = "PATH", description = "the daemon's control socket, instead of --config")
    Path socket;

    @Option(names = "--url", paramLabel = "URL", description = "https://HOST:PORT of the daemon's TCP"
            + " control listener; needs --token-file (http:// is refused except to this machine, for tls: off)")
    URI url;

    @Option(names = "--token-file", paramLabel = "FILE", description = "the file holding the bearer token for --url (a copy of the daemon's token_file)")
    Path tokenFile;

    @Option(names = "--ca-cert", paramLabel = "FILE", description = "the PEM certificate to trust for an https URL: the"
            + " daemon's own certificate (its tls cert) or the CA that signed it; default: the JDK's trust store")
    Path caCert;

    /**
     * @throws UsageException when the options do not say where the daemon is, or would send the token in clear text
     */
    ControlClient client() throws UsageException {
        if (url != null) {
            return tcpClient();
        }
        if (caCert != null) {
            throw new UsageException("--ca-cert goes with --url https://HOST:PORT; the Unix socket needs no certificate");
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

    private ControlClient tcpClient() throws UsageException {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost();
        if (!(scheme.equals("https") || scheme.equals("http")) || host == null) {
            throw new UsageException("--url " + url + ": write it as https://HOST:PORT");
        }
        if (tokenFile == null) {
            throw new UsageException("--url needs --token-file: the TCP control listener only answers with a token");
        }
        // URI keeps the brackets of an IPv6 literal; sockets and certificates want the bare address
        String bareHost = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (scheme.equals("http")) {
            if (caCert != null) {
                throw new UsageException("--ca-cert is for https:// URLs; --url " + url + " is plain HTTP");
            }
            if (!isLoopback(bareHost)) {
                throw new UsageException("--url " + url + ": refusing to send the token in clear text to another machine;"
                        + " use https://" + host + (url.getPort() > 0 ? ":" + url.getPort() : "") + " (the daemon needs"
                        + " control.tls), or tunnel to the daemon's loopback listener (ssh -L) and use http://127.0.0.1:PORT");
            }
        }
        String token = token();
        if (scheme.equals("http")) {
            return ControlClient.tcp(bareHost, url.getPort() > 0 ? url.getPort() : 80, token);
        }
        ControlTrust trust;
        try {
            trust = caCert == null ? ControlTrust.jdkDefaults() : ControlTrust.pemFile(caCert);
        } catch (PemException e) {
            throw new UsageException("--ca-cert: " + e.getMessage());
        }
        return ControlClient.https(bareHost, url.getPort() > 0 ? url.getPort() : 443, token, trust);
    }

    private String token() throws UsageException {
        try {
            return Files.readString(tokenFile).strip();
        } catch (IOException e) {
            throw new UsageException("cannot read the token file " + tokenFile + ": " + e.getMessage());
        }
    }

    /** Whether every address {@code host} names is this machine's loopback (127.0.0.0/8, ::1). */
    private static boolean isLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
