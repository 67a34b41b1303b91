package dev.cutover.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.cutover.loadgen.FailureCause;
import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadGeneratorBuilder;
import dev.cutover.loadgen.LoadReport;
import dev.cutover.loadgen.ProgressSnapshot;
import dev.cutover.loadgen.RequestKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cutover loadtest URL}: closed-loop HTTP load for a bounded time, and an exact account of
 * every request: which failed and why, the longest outage seen from the client, latency, and
 * which version answered. The way to watch a deploy from the user's side.
 */
@Command(name = "loadtest",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Send bounded HTTP load to a URL and account for every request.",
        description = {
                "Sends closed-loop HTTP/1.1 load to URL (each connection sends a request, reads the whole"
                        + " response, then sends the next) for --duration, and reports every request's outcome:"
                        + " ok, failed by cause (refused, reset, timeout, 5xx, upload mismatch), the longest"
                        + " run of consecutive failures, p50/p99/max latency, and how many responses each version"
                        + " (the X-Version header) gave.",
                "",
                "Run it against the proxy while you deploy: a zero-downtime deploy ends with 'failed 0' and"
                        + " both versions in the list.",
                ""},
        footer = {
                "",
                "Examples:",
                "  cutover loadtest http://127.0.0.1:8080/ --duration 60s",
                "  cutover loadtest http://127.0.0.1:8080/ --slow-every 50 --slow-ms 3000 \\",
                "                   --upload-every 20 --json",
                "",
                "Exit codes: 0 no request failed, 1 at least one failed, 2 bad usage."})
public final class LoadtestCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "What to load, e.g. http://127.0.0.1:8080/ (plain http).")
    private String url;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long to send requests (500ms, 30s, 5m). Every load is bounded. Default: ${DEFAULT-VALUE}.")
    private Duration duration;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "32",
            description = "Connections, each with one request in flight at a time. Default: ${DEFAULT-VALUE}.")
    private int concurrency;

    @Option(names = "--max-requests", paramLabel = "N",
            description = "Stop after this many requests, or at --duration, whichever comes first.")
    private Long maxRequests;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "A request without a complete response after this long fails as a timeout. Default: ${DEFAULT-VALUE}.")
    private Duration timeout;

    @Option(names = "--slow-every", paramLabel = "N", defaultValue = "0",
            description = "Make every N-th request GET /slow?ms=<--slow-ms> (the sample app holds it that long),"
                    + " to prove that slow requests survive a switch. 0 (default) for none.")
    private int slowEvery;

    @Option(names = "--slow-ms", paramLabel = "MS", defaultValue = "1000",
            description = "How long a slow request is held, in milliseconds. Default: ${DEFAULT-VALUE}.")
    private long slowMs;

    @Option(names = "--upload-every", paramLabel = "N", defaultValue = "0",
            description = "Make every N-th request a POST /upload whose echoed byte count and SHA-256 are checked."
                    + " 0 (default) for none.")
    private int uploadEvery;

    @Option(names = "--upload-bytes", paramLabel = "B", defaultValue = "65536",
            description = "Size of each upload, streamed. Default: ${DEFAULT-VALUE}.")
    private long uploadBytes;

    @Option(names = "--version-header", paramLabel = "NAME", defaultValue = "X-Version",
            description = "Response header that names the version that answered. Default: ${DEFAULT-VALUE}.")
    private String versionHeader;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "1",
            description = "Threads of the load generator; one sends tens of thousands of small requests a second."
                    + " Default: ${DEFAULT-VALUE}.")
    private int ioThreads;

    @Option(names = "--json", description = "Print the report as one JSON document on stdout, and nothing else.")
    private boolean json;

    @Override
    public Integer call() throws JsonProcessingException {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final LoadGenerator generator = generator(progressTo(err));
        try {
            generator.start();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }

        // Ctrl-C: stop sending, let the requests in flight finish, and still print the report.
        final CountDownLatch printed = new CountDownLatch(1);
        final Thread hook = new Thread(() -> {
            generator.stop();
            awaitQuietly(printed, timeout.plusSeconds(5));
        }, "cutover-loadtest-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        final LoadReport report;
        try {
            report = generator.awaitReport();
            clearProgressLine(err);
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            } else {
                out.println(readable(report));
            }
            out.flush();
        } finally {
            printed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException jvmShuttingDown) {
                // The hook is running: it waited for this report.
            }
        }
        return report.failed() == 0 ? ExitCode.OK : ExitCode.DEPLOY_FAILED;
    }

    private LoadGenerator generator(java.util.function.Consumer<ProgressSnapshot> progress) {
        requirePositive(duration, "--duration");
        requirePositive(timeout, "--timeout");
        final URI target;
        try {
            target = URI.create(url.contains("://") ? url : "http://" + url);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "'" + url + "' is not a URL; write it like http://127.0.0.1:8080/");
        }
        try {
            final LoadGeneratorBuilder builder = LoadGenerator.builder(target)
                    .duration(duration)
                    .concurrency(concurrency)
                    .requestTimeout(timeout)
                    .slowEvery(slowEvery)
                    .slowMs(slowMs)
                    .uploadEvery(uploadEvery)
                    .uploadBytes(uploadBytes)
                    .versionHeader(versionHeader)
                    .ioThreads(ioThreads);
            if (maxRequests != null) {
                builder.maxRequests(maxRequests);
            }
            if (progress != null) {
                builder.progress(progress);
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Live progress, once a second, only for a person watching a terminal: never into files or pipes. */
    private java.util.function.Consumer<ProgressSnapshot> progressTo(PrintWriter err) {
        if (!interactive()) {
            return null;
        }
        return snapshot -> {
            err.print(String.format(Locale.ROOT, "\r%6.1f s  %,d requests  ok %,d  failed %,d  %,.0f req/s   ",
                    snapshot.elapsedSeconds(), snapshot.total(), snapshot.ok(), snapshot.failed(),
                    snapshot.requestsPerSecond()));
            err.flush();
        };
    }

    private void clearProgressLine(PrintWriter err) {
        if (interactive()) {
            err.print("\r" + " ".repeat(79) + "\r");
            err.flush();
        }
    }

    static String readable(LoadReport report) {
        final StringBuilder text = new StringBuilder(report.summary()).append('\n');
        final long uploads = report.requests(RequestKind.UPLOAD);
        if (uploads > 0) {
            final long mismatched = report.failures(FailureCause.BAD_BODY);
            text.append(String.format(Locale.ROOT, "uploads: %d sent, %d echoed a wrong byte count or SHA-256%n",
                    uploads, mismatched));
        }
        if (report.failed() == 0) {
            text.append(String.format(Locale.ROOT, "result: no request failed (%d requests)", report.total()));
        } else {
            text.append(String.format(Locale.ROOT, "result: %d of %d requests failed (%.2f%%)",
                    report.failed(), report.total(), 100.0 * report.failed() / Math.max(1, report.total())));
        }
        return text.toString();
    }

    /**
     * Whether a person is watching. JDK 22 and later return a console even when the output is
     * redirected and say whether it is a terminal with {@code Console.isTerminal()}, which this
     * Java 21 build cannot call directly.
     */
    private static boolean interactive() {
        final Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            final Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException beforeJdk22) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    private void requirePositive(Duration value, String option) {
        if (value.isZero()) {
            throw new ParameterException(spec.commandLine(), option + " must be longer than 0, like 500ms or 30s");
        }
    }

    private static void awaitQuietly(CountDownLatch latch, Duration bound) {
        try {
            latch.await(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
