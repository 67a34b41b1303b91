package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.server.control.ControlJson;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;

/**
 * Issue 3's promise through the real daemon: {@code kill -9} of {@code cutover serve} in the middle
 * of a deploy, then a restart on the same config, leaves exactly one known version serving, no
 * app process leaked or lost, a history that says the deploy was interrupted and where, and a
 * daemon that deploys again.
 */
class KillDaemonMidDeployTest {

    /** Each background step on a thread of its own: the common pool has one thread on 2 cores. */
    private static final java.util.concurrent.Executor OWN_THREAD = task -> Thread.ofPlatform().daemon().start(task);
    private static final Duration PHASE_WITHIN = Duration.ofSeconds(60);

    @Test
    void killedDuringHealthCheckTheOldVersionServesAndTheNewProcessIsStopped(@TempDir Path dir) throws Exception {
        DaemonConfigFile config = DaemonConfigFile.in(dir).healthDeadline("40s");
        config.write();
        try (DaemonProcess daemon = DaemonProcess.start(config)) {
            deploy(daemon, config, "v1", "");
            long v1 = activePid(daemon);

            // v2 sleeps before it binds, so the deploy lingers in HEALTH_CHECK.
            CompletableFuture<CliRun> v2 = inBackground(daemon, config, "v2", "startup_delay=30s\n");
            awaitPhase(daemon, "HEALTH_CHECK");
            daemon.kill9();
            daemon.apps().learnFromEvents(v2.get(60, TimeUnit.SECONDS).out());
            assertThat(daemon.apps().known()).as("the test saw v1's and v2's processes").hasSizeGreaterThanOrEqualTo(2);

            daemon.restart();
            assertExactlyOneVersionServes(daemon, config, "v1", v1);
            assertInterrupted(daemon, config, "v2", "HEALTH_CHECK");
            assertNextDeploySucceeds(daemon, config, "v3");
        }
    }

    @Test
    void killedDuringDrainTheNewVersionServesAndTheOldProcessIsStopped(@TempDir Path dir) throws Exception {
        DaemonConfigFile config = DaemonConfigFile.in(dir).drainTimeout("60s");
        config.write();
        try (DaemonProcess daemon = DaemonProcess.start(config)) {
            deploy(daemon, config, "v1", "");
            // A slow request in flight on v1 keeps the drain waiting.
            long sentAt = System.nanoTime();
            CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> {
                try (RawHttp http = RawHttp.connect(config.proxyPort())) {
                    RawHttp.Response r = http.readTimeout(Duration.ofSeconds(90))
                            .send("GET /slow?ms=30000 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
                    return "answered " + r.status() + " after " + (System.nanoTime() - sentAt) / 1_000_000 + " ms";
                } catch (IOException e) {
                    // the proxy dies with the daemon: this request is lost with it
                    return "ended by " + e + " after " + (System.nanoTime() - sentAt) / 1_000_000 + " ms";
                }
            }, OWN_THREAD);
            Eventually.await("the slow request is in flight on v1", PHASE_WITHIN,
                    () -> activeSlot(daemon.service()).path("counters").path("inFlight").asLong() >= 1);

            CompletableFuture<CliRun> v2 = inBackground(daemon, config, "v2", "");
            awaitPhase(daemon, "DRAIN");
            JsonNode draining = daemon.service();
            assertThat(slotOfVersion(draining, "v1").path("counters").path("inFlight").asLong())
                    .as("the slow request still holds v1 in DRAIN: %s\nslow request: %s\ndaemon output:\n%s", draining.toPrettyString(),
                            slow.getNow("still waiting after " + (System.nanoTime() - sentAt) / 1_000_000 + " ms"), daemon.log()).isGreaterThanOrEqualTo(1);
            long v2Pid = slotOfVersion(draining, "v2").path("pid").asLong();
            daemon.kill9();
            daemon.apps().learnFromEvents(v2.get(60, TimeUnit.SECONDS).out());
            slow.get(60, TimeUnit.SECONDS);

            daemon.restart();
            assertExactlyOneVersionServes(daemon, config, "v2", v2Pid);
            assertInterrupted(daemon, config, "v2", "DRAIN");
            assertNextDeploySucceeds(daemon, config, "v3");
        }
    }

    @Test
    void killedDuringVerifyTheNewVersionServesAndTheOldProcessIsStopped(@TempDir Path dir) throws Exception {
        DaemonConfigFile config = DaemonConfigFile.in(dir).verifyWindow("10s");
        config.write();
        try (DaemonProcess daemon = DaemonProcess.start(config)) {
            deploy(daemon, config, "v1", "");
            CompletableFuture<CliRun> v2 = inBackground(daemon, config, "v2", "");
            awaitPhase(daemon, "VERIFY");
            long v2Pid = slotOfVersion(daemon.service(), "v2").path("pid").asLong();
            daemon.kill9();
            daemon.apps().learnFromEvents(v2.get(60, TimeUnit.SECONDS).out());

            daemon.restart();
            assertExactlyOneVersionServes(daemon, config, "v2", v2Pid);
            assertInterrupted(daemon, config, "v2", "VERIFY");
            assertNextDeploySucceeds(daemon, config, "v3");
        }
    }

    // --- what every scenario checks ---

    private static void assertExactlyOneVersionServes(DaemonProcess daemon, DaemonConfigFile config, String version,
                                                      long expectedPid) throws IOException {
        for (int i = 0; i < 5; i++) {
            assertThat(daemon.servedVersion()).as("GET / through the proxy after the restart; daemon output:\n%s", daemon.log())
                    .isEqualTo(version);
        }
        CliRun status = CliRun.of(config.client("status", "web", "--json"));
        assertThat(status.exitCode()).as(status.toString()).isZero();
        JsonNode doc = ControlJson.MAPPER.readTree(status.out());
        daemon.apps().learnFromStatus(doc);
        assertThat(doc.path("activeVersion").asText()).as(status.toString()).isEqualTo(version);
        JsonNode active = activeSlot(doc);
        assertThat(active.path("version").asText()).as(status.toString()).isEqualTo(version);
        assertThat(active.path("alive").asBoolean()).as(status.toString()).isTrue();
        assertThat(active.path("pid").asLong()).as("the release that served before the kill still serves, same process; %s",
                status).isEqualTo(expectedPid);
        assertThat(daemon.apps().alive()).as("every app process the test learned of is the one serving or dead; daemon output:\n%s",
                daemon.log()).containsExactly(expectedPid);
    }

    private static void assertInterrupted(DaemonProcess daemon, DaemonConfigFile config, String version, String phase)
            throws IOException {
        CliRun history = CliRun.of(config.client("history", "web", "--json"));
        assertThat(history.exitCode()).as(history.toString()).isZero();
        JsonNode last = ControlJson.MAPPER.readTree(history.out()).path("deployments").path(0);
        assertThat(last.path("version").asText()).as(history.toString()).isEqualTo(version);
        assertThat(last.path("outcome").asText()).as(history.toString()).isEqualTo("INTERRUPTED");
        assertThat(last.path("reason").asText()).as("the reason names the phase the deploy was in when the daemon died; %s",
                history).contains(phase);

        CliRun human = CliRun.of(config.client("history", "web"));
        assertThat(human.exitCode()).as(human.toString()).isZero();
        assertThat(human.out()).as(human.toString()).contains("interrupted").contains(version);
    }

    private static void assertNextDeploySucceeds(DaemonProcess daemon, DaemonConfigFile config, String version)
            throws IOException {
        CliRun run = deploy(daemon, config, version, "");
        assertThat(run.out()).contains("ok: web " + version + " serves");
        assertThat(daemon.servedVersion()).isEqualTo(version);
        long pid = activePid(daemon);
        Eventually.await("only " + version + "'s process runs", Duration.ofSeconds(20),
                () -> daemon.apps().alive(), alive -> alive.equals(java.util.List.of(pid)));
    }

    // --- small parts ---

    private static CliRun deploy(DaemonProcess daemon, DaemonConfigFile config, String version, String behavior) {
        CliRun run = CliRun.of(config.client("deploy", "web", "--version", version, "--artifact",
                config.artifact(version, behavior).toString()));
        daemon.apps().learnFromEvents(run.out());
        assertThat(run.exitCode()).as("deploy %s: %s\ndaemon output:\n%s", version, run, daemon.log()).isZero();
        return run;
    }

    private static CompletableFuture<CliRun> inBackground(DaemonProcess daemon, DaemonConfigFile config, String version,
                                                          String behavior) {
        Path artifact = config.artifact(version, behavior);
        return CompletableFuture.supplyAsync(() -> CliRun.of(config.client("deploy", "web", "--version", version,
                "--artifact", artifact.toString())), OWN_THREAD);
    }

    private static void awaitPhase(DaemonProcess daemon, String phase) {
        Eventually.await("the deploy reaches " + phase, PHASE_WITHIN,
                () -> daemon.service().path("deployingPhase").asText(), phase::equals);
        daemon.service(); // remember the new release's pid
    }

    private static long activePid(DaemonProcess daemon) {
        return activeSlot(daemon.service()).path("pid").asLong();
    }

    private static JsonNode activeSlot(JsonNode service) {
        for (JsonNode slot : service.path("slots")) {
            if (slot.path("active").asBoolean()) {
                return slot;
            }
        }
        throw new AssertionError("no active slot in " + service.toPrettyString());
    }

    private static JsonNode slotOfVersion(JsonNode service, String version) {
        for (JsonNode slot : service.path("slots")) {
            if (version.equals(slot.path("version").asText())) {
                return slot;
            }
        }
        throw new AssertionError("no slot runs " + version + " in " + service.toPrettyString());
    }
}
