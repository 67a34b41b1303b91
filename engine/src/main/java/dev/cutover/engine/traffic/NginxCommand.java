package dev.cutover.engine.traffic;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One run of an nginx command ({@code nginx -t}, the reload): its exit code and everything it wrote,
 * stdout and stderr together, as nginx reports its errors on stderr.
 */
record NginxCommand(List<String> argv, int exitCode, String output) {

    boolean succeeded() {
        return exitCode == 0;
    }

    String commandLine() {
        return String.join(" ", argv);
    }

    /** nginx's own words, indented, for an error message. */
    String quotedOutput() {
        String text = output.strip();
        return text.isEmpty() ? " (it printed nothing)" : ":\n" + text.indent(2).stripTrailing();
    }

    /**
     * Runs {@code argv} to its end, at most {@code timeout}.
     *
     * @throws TrafficSwitchException when it cannot be started or does not end in time
     */
    static NginxCommand run(List<String> argv, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new TrafficSwitchException("cannot run " + argv.get(0) + " (" + e.getMessage() + "): is nginx installed?"
                    + " Install it (apt-get install nginx) or set nginx.binary in cutover.yml to its path"
                    + " (e.g. /usr/sbin/nginx)");
        }
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()),
                command -> Thread.ofVirtual().start(command));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new TrafficSwitchException("'" + String.join(" ", argv) + "' did not finish within "
                        + timeout.toMillis() + " ms and was killed; check that nginx is responsive, or raise"
                        + " nginx.reload_timeout in cutover.yml");
            }
            return new NginxCommand(argv, process.exitValue(), output.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TrafficSwitchException("interrupted while running '" + String.join(" ", argv) + "'");
        } catch (Exception e) {
            if (e instanceof TrafficSwitchException t) {
                throw t;
            }
            return new NginxCommand(argv, process.exitValue(), "(its output could not be read: " + e + ")");
        }
    }

    private static String readAll(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(its output could not be read: " + e.getMessage() + ")";
        }
    }
}
