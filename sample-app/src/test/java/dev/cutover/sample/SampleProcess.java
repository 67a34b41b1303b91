package dev.cutover.sample;

import dev.cutover.testing.Eventually;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sample app as a real child JVM, started the way the deploy engine starts a release, with
 * its output captured line by line. Closing it kills the process if the test has not ended it.
 */
final class SampleProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("sample-app (\\S+) listening on (\\S+):(\\d+)");

    private final Process process;
    private final List<String> stdout = new CopyOnWriteArrayList<>();
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<Thread> readers = new ArrayList<>();

    private SampleProcess(Process process) {
        this.process = process;
        capture(process.getInputStream(), stdout, "stdout");
        capture(process.getErrorStream(), stderr, "stderr");
    }

    /** Starts {@code java [jvmOptions] dev.cutover.sample.SampleApp [args]} with none of our env knobs set. */
    static SampleProcess start(List<String> jvmOptions, String... args) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow(
                () -> new IllegalStateException("cannot tell which java binary runs the tests")));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.addAll(jvmOptions);
        command.add(SampleApp.class.getName());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        // The test decides the behaviour; nothing leaks in from the shell that runs the build.
        builder.environment().keySet().removeIf(name -> name.equals("PORT") || name.equals("VERSION") || name.startsWith("SAMPLE_"));
        return new SampleProcess(builder.start());
    }

    /** Quick-starting JVM options for tests that do not move much data. */
    static List<String> lightJvm() {
        return List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");
    }

    /** Waits for the one "listening on" line and returns the port it names. */
    int awaitListening(Duration timeout) {
        Eventually.await("the sample app says it is listening (stdout " + stdout + ", stderr " + stderr + ")", timeout,
                () -> listeningLine() != null || !process.isAlive());
        final String line = listeningLine();
        if (line == null) {
            throw new AssertionError("the sample app exited with " + process.exitValue() + " instead of listening; stderr: " + stderr);
        }
        final Matcher m = LISTENING.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("unexpected listening line: " + line);
        }
        return Integer.parseInt(m.group(3));
    }

    private String listeningLine() {
        return stdout.stream().filter(l -> LISTENING.matcher(l).matches()).findFirst().orElse(null);
    }

    /** Waits for the process to exit and returns its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the sample app did not exit within " + timeout.toMillis() + " ms; stdout " + stdout + ", stderr " + stderr);
        }
        for (Thread reader : readers) {
            reader.join(5_000); // the last lines may still be in the pipe when the process is gone
        }
        return process.exitValue();
    }

    /** SIGTERM, as a deploy engine stops an old release. */
    void terminate() {
        // Process.destroy() would also close our end of its stdout, losing the lines it prints while
        // stopping; the handle sends the same signal and leaves the pipes alone.
        process.toHandle().destroy();
    }

    List<String> stdout() {
        return stdout;
    }

    /** Standard error so far, as one string. */
    String stderr() {
        return String.join("\n", stderr);
    }

    private void capture(InputStream stream, List<String> lines, String name) {
        final Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "sample-process-" + name);
        reader.setDaemon(true);
        reader.start();
        readers.add(reader);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
