package dev.cutover.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import dev.cutover.sample.SampleCommand;
import dev.cutover.testing.TestCertificates;

/**
 * A cutover.yml for one test daemon: the sample app as service {@value #SERVICE} on free ports picked
 * now (proxy.listen refuses port 0), quick health checks, and behavior files as artifacts the way
 * a user passes a jar: "" a good release, "never_healthy=true\n" a bad one.
 */
final class DaemonConfigFile {

    static final String SERVICE = "web";

    private final Path dir;
    private final int proxyPort = freePort();
    private final int bluePort = freePort();
    private final int greenPort = freePort();
    private String healthDeadline = "20s";
    private String drainTimeout = "10s";
    private String verifyWindow;
    private Integer controlPort;
    private Path tokenFile;
    private TestCertificates.Issued tls;

    private DaemonConfigFile(Path dir) {
        this.dir = dir;
    }

    static DaemonConfigFile in(Path dir) {
        return new DaemonConfigFile(dir);
    }

    DaemonConfigFile healthDeadline(String deadline) {
        this.healthDeadline = deadline;
        return this;
    }

    DaemonConfigFile drainTimeout(String timeout) {
        this.drainTimeout = timeout;
        return this;
    }

    /** Verification on, with a ratio no test reaches: the deploy lingers in VERIFY for the window. */
    DaemonConfigFile verifyWindow(String window) {
        this.verifyWindow = window;
        return this;
    }

    /**
     * An HTTPS control listener on 127.0.0.1 and a free port, serving {@code cert} (control.tls), guarded by a
     * token file (mode 0600) holding {@code token}.
     */
    DaemonConfigFile controlOverHttps(String token, TestCertificates.Issued cert) {
        this.controlPort = freePort();
        this.tokenFile = tokenFile("token", token);
        this.tls = cert;
        return this;
    }

    /** A token file with mode 0600, as the daemon and a careful operator keep it. */
    Path tokenFile(String name, String token) {
        try {
            Path file = dir.resolve(name);
            Files.writeString(file, token + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path write() {
        StringBuilder yaml = new StringBuilder()
                .append("proxy:\n  listen: 127.0.0.1:").append(proxyPort).append("\n  io_threads: 2\n")
                .append("state_dir: state\n");
        if (controlPort != null) {
            yaml.append("control:\n  listen: 127.0.0.1:").append(controlPort).append("\n  token_file: ")
                    .append(quote(tokenFile.toString())).append('\n')
                    .append("  tls: { cert: ").append(quote(tls.cert().toString())).append(", key: ")
                    .append(quote(tls.key().toString())).append(" }\n");
        }
        yaml.append("services:\n  ").append(SERVICE).append(":\n")
                .append("    command: [").append(String.join(", ", sampleAppCommand().stream().map(DaemonConfigFile::quote).toList()))
                .append("]\n")
                .append("    ports: { blue: ").append(bluePort).append(", green: ").append(greenPort).append(" }\n")
                .append("    health: { path: /health, interval: 100ms, timeout: 1s, deadline: ").append(healthDeadline)
                .append(", healthy_threshold: 2 }\n")
                .append("    drain_timeout: ").append(drainTimeout).append('\n')
                .append("    stop_timeout: 5s\n");
        if (verifyWindow != null) {
            yaml.append("    verify: { window: ").append(verifyWindow).append(", max_error_ratio: 0.5, min_requests: 1000000 }\n");
        }
        try {
            return Files.writeString(path(), yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sample app, started the way a user starts a jar: ${ARTIFACT} is its behavior file. */
    static List<String> sampleAppCommand() {
        return SampleCommand.withPlaceholders();
    }

    /** A behavior file for the sample app, as the artifact of {@code version}. */
    Path artifact(String version, String behavior) {
        try {
            Path builds = Files.createDirectories(dir.resolve("builds"));
            return Files.writeString(builds.resolve(version + ".properties"), behavior);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code --config FILE}, for client commands. */
    String[] client(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = path().toString();
        return all;
    }

    Path dir() {
        return dir;
    }

    Path path() {
        return dir.resolve("cutover.yml");
    }

    Path socket() {
        return dir.resolve("state").resolve("control.sock");
    }

    int proxyPort() {
        return proxyPort;
    }

    int controlPort() {
        return controlPort;
    }

    Path tokenFile() {
        return tokenFile;
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
