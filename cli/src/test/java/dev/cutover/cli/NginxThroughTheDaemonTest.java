package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.loadgen.FailureCause;
import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;
import dev.cutover.loadgen.RequestKind;
import dev.cutover.server.control.ControlJson;
import dev.cutover.testing.Eventually;

/**
 * {@code traffic: nginx} through the real daemon: a {@code cutover serve} whose cutover.yml points at
 * an nginx master of the test's own, driven by the CLI. Proves the daemon's wiring of the nginx switch
 * (upstream file, {@code nginx -t}, reload, drain by workers, counters from the access log), which the
 * engine's tests cover only with an engine they build themselves.
 */
class NginxThroughTheDaemonTest {

    @Test
    void deployAndRollbackThroughTheCliSwitchNginxBetweenVersionsLosingNoRequestUnderLoad(@TempDir Path dir) throws Exception {
        try (NginxInFront nginx = NginxInFront.prepare(dir.resolve("nginx"))) {
            DaemonConfigFile config = DaemonConfigFile.in(dir);
            writeConfig(config, nginx);
            try (DaemonProcess daemon = DaemonProcess.start(config)) {
                assertThat(Files.readString(nginx.upstreamFile())).as("the daemon's placeholder, for nginx.conf to include")
                        .contains("upstream cutover_web {");
                nginx.start();

                deploy(daemon, config, "v1", "", ExitCode.OK);
                assertThat(nginx.servedVersion()).isEqualTo("v1");

                Set<String> seen = ConcurrentHashMap.newKeySet();
                LoadGenerator load = LoadGenerator.builder(URI.create("http://127.0.0.1:" + nginx.port() + "/"))
                        .concurrency(4).duration(Duration.ofSeconds(90)).requestTimeout(Duration.ofSeconds(15))
                        .slowEvery(10).slowMs(500)
                        .listener(r -> {
                            if (r.version() != null) {
                                seen.add(r.version());
                            }
                        })
                        .build();
                LoadReport report;
                load.start();
                try {
                    Eventually.await("the load reaches v1 through nginx", Duration.ofSeconds(30), () -> seen.contains("v1"));
                    deploy(daemon, config, "v2", "", ExitCode.OK);
                    Eventually.await("the load reaches v2 through nginx", Duration.ofSeconds(30), () -> seen.contains("v2"));
                } finally {
                    report = load.stop();
                }
                assertThat(report.failed()).as("failed requests through nginx during the deploy of v2: %s\nnginx's error log:\n%s"
                        + "\ndaemon output:\n%s", report.summary(), nginx.errorLogText(), daemon.log()).isZero();
                assertThat(report.versions().keySet()).as(report.summary()).contains("v1", "v2");
                assertThat(report.total()).as(report.summary()).isGreaterThan(50);
                assertThat(report.requests(RequestKind.SLOW)).as("slow requests were in flight: " + report.summary()).isPositive();
                assertThat(nginx.servedVersion()).isEqualTo("v2");
                assertThat(Files.readString(nginx.upstreamFile())).contains("server 127.0.0.1:" + activePort(daemon) + ";");

                CliRun status = CliRun.of(config.client("status", "--json"));
                assertThat(status.exitCode()).as(status.toString()).isZero();
                JsonNode doc = ControlJson.MAPPER.readTree(status.out());
                assertThat(doc.path("daemon").path("proxyListen").asText()).as(status.toString()).isEqualTo("nginx");
                List<JsonNode> services = new ArrayList<>();
                doc.path("services").forEach(services::add);
                assertThat(services).as(status.toString()).singleElement().satisfies(web -> {
                    assertThat(web.path("service").asText()).isEqualTo("web");
                    assertThat(web.path("activeVersion").asText()).isEqualTo("v2");
                });

                CliRun history = CliRun.of(config.client("history", "web"));
                assertThat(history.exitCode()).as(history.toString()).isZero();
                assertThat(history.out()).as(history.toString()).contains("v1").contains("v2").contains("succeeded");
                CliRun historyJson = CliRun.of(config.client("history", "web", "--json"));
                assertThat(historyJson.exitCode()).as(historyJson.toString()).isZero();
                List<JsonNode> deployments = new ArrayList<>();
                ControlJson.MAPPER.readTree(historyJson.out()).path("deployments").forEach(deployments::add);
                assertThat(deployments.stream().map(d -> d.path("version").asText() + " " + d.path("outcome").asText()).toList())
                        .as(historyJson.toString()).containsExactly("v2 SUCCEEDED", "v1 SUCCEEDED");

                CliRun rollback = CliRun.of(config.client("rollback", "web"));
                daemon.apps().learnFromEvents(rollback.out());
                assertThat(rollback.exitCode()).as("rollback: %s\ndaemon output:\n%s", rollback, daemon.log()).isZero();
                assertThat(nginx.servedVersion()).isEqualTo("v1");
                CliRun after = CliRun.of(config.client("status", "web", "--json"));
                assertThat(ControlJson.MAPPER.readTree(after.out()).path("activeVersion").asText()).as(after.toString())
                        .isEqualTo("v1");
                Eventually.await("only v1's process runs after the rollback", Duration.ofSeconds(20),
                        () -> daemon.apps().alive(), alive -> alive.size() == 1);
            }
        }
    }

    @Test
    void releaseAnswering500sIsRolledBackByVerifyCountingNginxsAccessLogAndDeployExitsOne(@TempDir Path dir) throws Exception {
        try (NginxInFront nginx = NginxInFront.prepare(dir.resolve("nginx"))) {
            DaemonConfigFile config = DaemonConfigFile.in(dir);
            writeConfig(config, nginx);
            try (DaemonProcess daemon = DaemonProcess.start(config)) {
                nginx.start();
                deploy(daemon, config, "v1", "", ExitCode.OK);

                LoadGenerator load = LoadGenerator.builder(URI.create("http://127.0.0.1:" + nginx.port() + "/"))
                        .concurrency(4).duration(Duration.ofSeconds(60)).requestTimeout(Duration.ofSeconds(15)).build();
                LoadReport report;
                CliRun bad;
                load.start();
                try {
                    bad = deploy(daemon, config, "v2", "error_ratio=0.5\n", ExitCode.DEPLOY_FAILED);
                } finally {
                    report = load.stop();
                }

                assertThat(bad.out() + bad.err()).as(bad.toString()).contains("verification failed").contains("5xx")
                        .contains("max_error_ratio 5.0%");
                assertThat(nginx.servedVersion()).isEqualTo("v1");
                assertThat(report.failures(FailureCause.HTTP_5XX)).as(report.summary()).isPositive();
                assertThat(report.failed()).as("only v2's own 500s failed: " + report.summary())
                        .isEqualTo(report.failures(FailureCause.HTTP_5XX));
                CliRun status = CliRun.of(config.client("status", "web", "--json"));
                assertThat(ControlJson.MAPPER.readTree(status.out()).path("activeVersion").asText()).as(status.toString())
                        .isEqualTo("v1");
                CliRun history = CliRun.of(config.client("history", "web", "--json"));
                JsonNode latest = ControlJson.MAPPER.readTree(history.out()).path("deployments").path(0);
                assertThat(latest.path("version").asText() + " " + latest.path("outcome").asText()).as(history.toString())
                        .isEqualTo("v2 ROLLED_BACK");
            }
        }
    }

    /** The sample app as service web behind this nginx, quick health checks, verify counting from nginx's access log. */
    private static void writeConfig(DaemonConfigFile config, NginxInFront nginx) throws Exception {
        String yaml = nginx.yaml()
                + "state_dir: state\n"
                + "services:\n  " + DaemonConfigFile.SERVICE + ":\n"
                + "    command: [" + String.join(", ", DaemonConfigFile.sampleAppCommand().stream().map(DaemonConfigFile::quote).toList())
                + "]\n"
                + "    ports: { blue: " + DaemonConfigFile.freePort() + ", green: " + DaemonConfigFile.freePort() + " }\n"
                + "    health: { path: /health, interval: 100ms, timeout: 1s, deadline: 20s, healthy_threshold: 2 }\n"
                + "    drain_timeout: 10s\n"
                + "    stop_timeout: 5s\n"
                + "    verify: { window: 4s, max_error_ratio: 0.05, min_requests: 20 }\n";
        Files.writeString(config.path(), yaml);
    }

    private static CliRun deploy(DaemonProcess daemon, DaemonConfigFile config, String version, String behavior, int expectedExit) {
        CliRun run = CliRun.of(config.client("deploy", "web", "--version", version, "--artifact",
                config.artifact(version, behavior).toString()));
        daemon.apps().learnFromEvents(run.out());
        assertThat(run.exitCode()).as("deploy %s: %s\ndaemon output:\n%s", version, run, daemon.log()).isEqualTo(expectedExit);
        return run;
    }

    private static int activePort(DaemonProcess daemon) {
        for (JsonNode slot : daemon.service().path("slots")) {
            if (slot.path("active").asBoolean()) {
                return slot.path("port").asInt();
            }
        }
        throw new AssertionError("no active slot in " + daemon.service());
    }
}
