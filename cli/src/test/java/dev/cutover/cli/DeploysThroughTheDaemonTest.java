package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;
import dev.cutover.loadgen.RequestKind;
import dev.cutover.server.control.ControlJson;
import dev.cutover.testing.Eventually;

/**
 * Issue 4's proof through the real daemon: 20 deploys in a row with {@code cutover deploy}, under
 * continuous load (slow requests and uploads among them), lose not one request, and what the
 * daemon reports afterwards agrees with what the load saw served.
 */
class DeploysThroughTheDaemonTest {

    private static final int DEPLOYS = 20;

    @Test
    void twentyDeploysUnderLoadLoseNoRequestAndStatusAndHistoryAgreeWithWhatServed(@TempDir Path dir) throws Exception {
        DaemonConfigFile config = DaemonConfigFile.in(dir);
        config.write();
        try (DaemonProcess daemon = DaemonProcess.start(config)) {
            deploy(daemon, config, "v0");
            Set<String> seen = ConcurrentHashMap.newKeySet();
            LoadGenerator load = LoadGenerator.builder(URI.create("http://127.0.0.1:" + config.proxyPort() + "/"))
                    .concurrency(16).duration(Duration.ofMinutes(3)).requestTimeout(Duration.ofSeconds(15))
                    .slowEvery(20).slowMs(1000).uploadEvery(9).uploadBytes(64 * 1024)
                    .listener(r -> {
                        if (r.version() != null) {
                            seen.add(r.version());
                        }
                    })
                    .build();
            List<String> deployed = new ArrayList<>(List.of("v0"));
            LoadReport report;
            load.start();
            try {
                Eventually.await("the load reaches v0", Duration.ofSeconds(30), () -> seen.contains("v0"));
                for (int i = 1; i <= DEPLOYS; i++) {
                    String version = "v" + i;
                    deploy(daemon, config, version);
                    deployed.add(version);
                    Eventually.await("the load reaches " + version, Duration.ofSeconds(30), () -> seen.contains(version));
                }
            } finally {
                report = load.stop();
            }

            assertThat(report.failed()).as("failed requests over %d deploys: %s\ndaemon output:\n%s", DEPLOYS,
                    report.summary(), daemon.log()).isZero();
            assertThat(report.total()).as(report.summary()).isGreaterThan(200);
            assertThat(report.versions().keySet()).as(report.summary()).containsAll(deployed);
            assertThat(report.requests(RequestKind.SLOW)).as("slow requests were in flight: " + report.summary()).isPositive();
            assertThat(report.requests(RequestKind.UPLOAD)).as("uploads were in flight: " + report.summary()).isPositive();

            CliRun status = CliRun.of(config.client("status", "web", "--json"));
            assertThat(status.exitCode()).as(status.toString()).isZero();
            JsonNode service = ControlJson.MAPPER.readTree(status.out());
            assertThat(service.path("activeVersion").asText()).as(status.toString()).isEqualTo("v" + DEPLOYS);
            assertThat(daemon.servedVersion()).isEqualTo("v" + DEPLOYS);

            CliRun history = CliRun.of(config.client("history", "web", "--json", "--limit", "50"));
            assertThat(history.exitCode()).as(history.toString()).isZero();
            List<JsonNode> deployments = new ArrayList<>();
            ControlJson.MAPPER.readTree(history.out()).path("deployments").forEach(deployments::add);
            assertThat(deployments).as(history.toString()).hasSize(DEPLOYS + 1)
                    .allSatisfy(d -> assertThat(d.path("outcome").asText()).isEqualTo("SUCCEEDED"));
            assertThat(deployments.stream().map(d -> d.path("version").asText()).toList()).as(history.toString())
                    .containsExactlyElementsOf(deployed.reversed());

            long active = service.path("slots").findValues("active").stream().filter(JsonNode::asBoolean).count();
            assertThat(active).isEqualTo(1);
            Eventually.await("only v" + DEPLOYS + "'s process runs", Duration.ofSeconds(20), () -> daemon.apps().alive(),
                    alive -> alive.size() == 1);
        }
    }

    private static void deploy(DaemonProcess daemon, DaemonConfigFile config, String version) {
        CliRun run = CliRun.of(config.client("deploy", "web", "--version", version, "--artifact",
                config.artifact(version, "").toString()));
        daemon.apps().learnFromEvents(run.out());
        assertThat(run.exitCode()).as("deploy %s: %s\ndaemon output:\n%s", version, run, daemon.log()).isZero();
    }
}
