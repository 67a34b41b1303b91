package dev.cutover.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;
import dev.cutover.loadgen.RequestKind;
import dev.cutover.sample.SampleCommand;
import dev.cutover.server.Daemon;
import dev.cutover.server.config.ConfigLoader;
import dev.cutover.server.control.ControlClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The proof, in one command: a real daemon on free local ports, the sample app as real processes,
 * load running throughout, and five deploys, two of them bad on purpose. Exits 0 only if no request
 * failed, apart from the 500s the bad v5 answered before verification rolled it back.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Shows cutover at work, with nothing to set up.",
                "Deploys v2 and v3 of a sample app under load, then a v4 that never gets healthy (aborted) and a v5",
                "that answers 500s (rolled back automatically).",
                "Exits 0 only if no request failed other than the 500s v5 answered before its rollback."})
final class DemoCommand implements Callable<Integer> {

    private static final String SERVICE = "demo";

    @Spec
    CommandSpec spec;

    @Option(names = "--concurrency", defaultValue = "16", description = "load connections (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--keep", description = "keep the demo's folder (config, state, logs) instead of deleting it")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("dev.cutover")).setLevel(Level.WARN);
        Path dir = Files.createTempDirectory("cutover-demo-");
        int proxyPort = freePort();
        Path config = writeConfig(dir, proxyPort, freePort(), freePort());
        out.println("cutover demo: a daemon with its proxy on 127.0.0.1:" + proxyPort + ", the sample app as service '"
                + SERVICE + "', config " + config);
        out.println();
        out.flush();

        DemoTally tally = new DemoTally("v5");
        List<DemoStep> steps = new ArrayList<>();
        Daemon daemon = Daemon.start(ConfigLoader.load(config));
        // The apps run in their own sessions (they outlive a daemon by design), so Ctrl-C does not
        // reach them: whatever ends the demo, this stops them, the daemon, and removes the folder.
        DemoCleanup cleanup = new DemoCleanup(daemon, keep ? null : dir);
        Thread hook = new Thread(cleanup, "cutover-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        LoadReport report;
        try {
            ControlClient client = ControlClient.unix(Path.of(daemon.info().controlSocket()));
            steps.add(deploy(out, client, tally, dir, "v1", "SUCCEEDED", "first release, before any load", ""));
            LoadGenerator load = LoadGenerator.builder(URI.create("http://127.0.0.1:" + proxyPort + "/"))
                    .concurrency(concurrency).duration(Duration.ofMinutes(5)).requestTimeout(Duration.ofSeconds(15))
                    .slowEvery(20).slowMs(1000).uploadEvery(9).uploadBytes(64 * 1024)
                    .listener(tally).build();
            load.start();
            try {
                tally.nextStep();
                // Traffic flows before the first switch, so the switch happens under load.
                tally.awaitRequests(500, Duration.ofSeconds(10));
                steps.add(deploy(out, client, tally, dir, "v2", "SUCCEEDED", "a good release, under load", ""));
                steps.add(deploy(out, client, tally, dir, "v3", "SUCCEEDED", "another good release", ""));
                steps.add(deploy(out, client, tally, dir, "v4", "ABORTED", "a release that never becomes healthy",
                        "never_healthy=true\n"));
                steps.add(deploy(out, client, tally, dir, "v5", "ROLLED_BACK",
                        "a release that answers 500 to a third of requests", "error_ratio=0.33\n"));
                // The requests that follow the rollback show who serves once it is over.
                tally.awaitRequests(500, Duration.ofSeconds(10));
            } finally {
                report = load.stop();
            }
        } finally {
            cleanup.run();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs (or ran) anyway; cleanup does its work once.
            }
        }
        return summarize(out, steps, tally, report, dir);
    }

    private DemoStep deploy(PrintWriter out, ControlClient client, DemoTally tally, Path dir, String version,
                            String expected, String what, String behavior) throws IOException {
        out.println("== deploy " + version + ": " + what);
        out.flush();
        Path artifact = dir.resolve("releases-in").resolve(version + ".properties");
        Files.createDirectories(artifact.getParent());
        Files.writeString(artifact, "# sample-app behavior of " + version + "\n" + behavior);
        int step = tally.nextStep();
        DeployProgress story = new DeployProgress(out, false);
        String outcome;
        try {
            client.stream("POST", "/v1/services/" + SERVICE + "/deploy",
                    java.util.Map.of("version", version, "artifact", artifact.toString()),
                    line -> {
                        if (!repetitive(line)) {
                            story.accept(line);
                        }
                    });
            story.finish();
            outcome = story.result() == null ? "ERROR" : story.result().path("outcome").asText("ERROR");
        } catch (RuntimeException e) {
            out.println("   the deploy could not run: " + e.getMessage());
            outcome = "ERROR";
        }
        out.println();
        out.flush();
        return new DemoStep(step, "deploy " + version, expected, outcome);
    }

    /** Health attempts are many and alike; the story shows the first and the verdict. */
    private static boolean repetitive(JsonNode line) {
        String message = line.path("event").path("message").asText("");
        return message.startsWith("attempt ") && !message.startsWith("attempt 1/");
    }

    private int summarize(PrintWriter out, List<DemoStep> steps, DemoTally tally, LoadReport report, Path dir) {
        out.println("== summary: " + report.total() + " requests in " + String.format(Locale.ROOT, "%.0f", report.durationSeconds())
                + " s at " + concurrency + " connections, " + report.requests(RequestKind.SLOW) + " of them taking 1 s and "
                + report.requests(RequestKind.UPLOAD) + " uploading 64 KB");
        TextTable table = new TextTable("STEP", "OUTCOME", "EXPECTED", "SERVED BY", "OK", "FAILED", "500s FROM v5");
        for (DemoStep step : steps) {
            DemoTally.Step counts = tally.step(step.index());
            table.row(step.name(), words(step.outcome()), step.asExpected() ? "yes" : "NO, expected " + words(step.expected()),
                    String.join(", ", counts.versions()), counts.ok(), counts.failed(), counts.expectedErrors());
        }
        table.print(out);
        long failed = tally.unexpectedFailures();
        boolean asExpected = steps.stream().allMatch(DemoStep::asExpected);
        out.println();
        out.println(String.format(Locale.ROOT, "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms (the slow requests take 1 s by design)",
                report.latency().p50Ms(), report.latency().p99Ms(), report.latency().maxMs()));
        if (failed == 0) {
            out.println("zero failed requests: no deploy lost a request (the " + tally.expectedErrors()
                    + " 500s are v5's own answers before verification rolled it back).");
        } else {
            out.println(failed + " requests failed that should not have; the first: " + report.firstFailures());
        }
        if (!asExpected) {
            out.println("some deploys did not end as the demo expects (see EXPECTED above); the daemon's story of each is printed above.");
        }
        out.println();
        out.println("next: README.md, 'Deploy your own app' — copy examples/cutover.yml, run `cutover serve`, then "
                + "`cutover deploy web --version v2 --artifact app.jar`." + (keep ? " The demo's files: " + dir : ""));
        out.flush();
        return failed == 0 && asExpected ? ExitCode.OK : ExitCode.DEPLOY_FAILED;
    }

    private static String words(String outcome) {
        return outcome.toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static Path writeConfig(Path dir, int proxy, int blue, int green) throws IOException {
        List<String> command = SampleCommand.withPlaceholders();
        String yaml = """
                # Written by `cutover demo`. A real config: copy it as a start for your own service.
                proxy:
                  listen: 127.0.0.1:%d
                state_dir: %s
                services:
                  demo:
                    runtime: process
                    command: [%s]
                    ports: { blue: %d, green: %d }
                    health: { path: /health, interval: 200ms, timeout: 1s, deadline: 8s, healthy_threshold: 2 }
                    drain_timeout: 10s
                    stop_timeout: 5s
                    verify: { window: 5s, max_error_ratio: 0.05, min_requests: 50 }
                """.formatted(proxy, quote(dir.resolve("state").toString()),
                String.join(", ", command.stream().map(DemoCommand::quote).toList()), blue, green);
        Path file = dir.resolve("cutover.yml");
        Files.writeString(file, yaml);
        return file;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private record DemoStep(int index, String name, String expected, String outcome) {

        boolean asExpected() {
            return expected.equals(outcome);
        }
    }
}
