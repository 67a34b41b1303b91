package dev.cutover.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.server.control.ControlClient;
import dev.cutover.testing.RawHttp;

/**
 * A real {@code cutover serve} as a child JVM, as an operator runs it: started on a config file,
 * ready once its control socket answers, killed with SIGKILL or stopped with SIGTERM. Its output
 * goes to a file in the test's folder ({@link #log()}), for assertion messages. On close it stops
 * itself and every app process it started (they outlive it by design).
 */
final class DaemonProcess implements AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofSeconds(90);

    private final DaemonConfigFile config;
    private final Path logFile;
    private final AppProcesses apps = new AppProcesses();
    private Process process;

    private DaemonProcess(DaemonConfigFile config) {
        this.config = config;
        this.logFile = config.dir().resolve("daemon.log");
    }

    /** Writes nothing: {@code config} must be written already. Returns once the daemon answers. */
    static DaemonProcess start(DaemonConfigFile config) {
        DaemonProcess daemon = new DaemonProcess(config);
        daemon.launch();
        return daemon;
    }

    /** Starts the daemon again on the same config (after {@link #kill9()} or {@link #stop()}). */
    void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the daemon (pid " + process.pid() + ") still runs");
        }
        launch();
    }

    private void launch() {
        try {
            Files.writeString(logFile, "\n=== cutover serve started by the test\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(serveCommand(config.path()))
                    .directory(config.dir().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new AssertionError("cutover serve exited with " + process.exitValue() + " before it answered; its output:\n" + log());
            }
            try {
                client().call("GET", "/v1/status", null);
                return;
            } catch (RuntimeException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("cutover serve did not answer GET /v1/status on " + config.socket() + " within "
                            + READY_WITHIN + "; its output:\n" + log(), notYet);
                }
            }
            try {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the daemon", e);
            }
        }
    }

    /** {@code java -cp <this test's class path> dev.cutover.cli.Cutover serve --config FILE}. */
    static List<String> serveCommand(Path config) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "dev.cutover.cli.Cutover", "serve", "--config", config.toString()));
        return command;
    }

    /** Runs a {@code cutover serve} that is expected to refuse to start; its exit code and output. */
    static CliRun serveExpectingRefusal(Path config, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "refused-serve", ".log");
        Process p = new ProcessBuilder(serveCommand(config)).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly();
            throw new AssertionError("cutover serve --config " + config + " started (or hung) instead of refusing; its output:\n"
                    + Files.readString(out));
        }
        return new CliRun(p.exitValue(), "", Files.readString(out));
    }

    ControlClient client() {
        return ControlClient.unix(config.socket());
    }

    /** GET /v1/services/web, and the app pids it names are remembered for cleanup. */
    JsonNode service() {
        JsonNode service = client().call("GET", "/v1/services/" + DaemonConfigFile.SERVICE, null);
        apps.learnFromStatus(service);
        return service;
    }

    /** Which version answers GET / through the daemon's proxy right now (its X-Version header). */
    String servedVersion() throws IOException {
        try (RawHttp http = RawHttp.connect(config.proxyPort())) {
            RawHttp.Response response = http.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readResponse();
            if (response.status() != 200) {
                throw new AssertionError("GET / through the proxy answered " + response.status() + "; the daemon's output:\n" + log());
            }
            return response.header("x-version");
        }
    }

    AppProcesses apps() {
        return apps;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no goodbye; the apps keep running. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("the daemon (pid " + process.pid() + ") did not die from SIGKILL within 30 s");
        }
    }

    /** SIGTERM, and waits for the daemon to stop (it lets running deploys settle first). */
    void stop() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(45, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("the daemon (pid " + process.pid() + ") did not stop within 45 s of SIGTERM; its output:\n" + log());
        }
    }

    /** Everything the daemon wrote, across restarts. */
    String log() {
        try {
            return Files.readString(logFile);
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (isAlive()) {
                try {
                    service();
                } catch (RuntimeException e) {
                    // the pids learned so far are stopped anyway
                }
            }
            stop();
        } finally {
            apps.stopAll();
        }
    }
}
