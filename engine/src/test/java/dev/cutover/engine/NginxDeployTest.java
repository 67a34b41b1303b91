package dev.cutover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.runtime.ProcessRuntime;
import dev.cutover.engine.store.Store;
import dev.cutover.engine.traffic.NginxFixture;
import dev.cutover.engine.traffic.NginxSwitch;
import dev.cutover.loadgen.FailureCause;
import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;
import dev.cutover.loadgen.RequestKind;
import dev.cutover.loadgen.RequestRecord;
import dev.cutover.testing.RawHttp;

/** The engine with {@code traffic: nginx}: a real nginx master in front of real sample-app processes. */
class NginxDeployTest {

    @TempDir
    Path dir;

    private NginxFixture nginx;
    private Store store;
    private Engine engine;
    private final List<DeployEvent> events = new CopyOnWriteArrayList<>();
    /** When each version's switch began (its health check passed) and ended (traffic switched), in nanoTime. */
    private final Map<String, long[]> switches = new ConcurrentHashMap<>();

    private void start(ServiceSpec spec) throws Exception {
        nginx = NginxFixture.prepare(dir.resolve("nginx"));
        store = Store.open(dir.resolve("state/state.db"));
        engine = new Engine(Map.of("web", spec), new ProcessRuntime(), new NginxSwitch(nginx.settings()), store,
                dir.resolve("state"), Clock.systemUTC());
        nginx.start(); // after the engine registered the service: its upstream file exists for nginx.conf to include
    }

    @AfterEach
    void tearDown() throws Exception {
        if (engine != null) {
            engine.stopAllApps();
            engine.close();
            store.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void fiveDeploysUnderLoadThroughNginxLoseNoRequestAndSlowRequestsInFlightFinishOnTheOldVersion() throws Exception {
        start(EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort()));
        assertThat(deploy("v1", "").outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
        List<RequestRecord> slow = new CopyOnWriteArrayList<>();
        LoadGenerator load = LoadGenerator.builder(java.net.URI.create("http://127.0.0.1:" + nginx.port + "/"))
                .concurrency(16).duration(Duration.ofSeconds(120)).slowEvery(20).slowMs(1000)
                .uploadEvery(15).uploadBytes(32 * 1024)
                .listener(r -> {
                    if (r.kind() == RequestKind.SLOW) {
                        slow.add(r);
                    }
                }).build();
        load.start();
        List<String> versions = List.of("v2", "v3", "v4", "v5", "v6");
        for (String version : versions) {
            DeployResult result = deploy(version, "");
            assertThat(result.outcome()).as(result.reason()).isEqualTo(DeployOutcome.SUCCEEDED);
            assertThat(served()).isEqualTo(version);
        }
        LoadReport report = load.stop();

        assertThat(report.failed()).as(report.summary()).isZero();
        assertThat(report.versions().keySet()).containsAll(versions);
        int inFlightAtASwitch = 0;
        String old = "v1";
        for (String version : versions) {
            long began = switches.get(version)[0];
            for (RequestRecord r : slow) {
                if (r.startNanos() < began && r.completedNanos() > began) {
                    inFlightAtASwitch++;
                    assertThat(r.version()).as("slow request in flight when the switch to " + version + " began").isEqualTo(old);
                }
            }
            old = version;
        }
        assertThat(inFlightAtASwitch).as("slow requests were in flight at the switches").isPositive();
        assertThat(messages()).filteredOn(m -> m.contains(" drained in ")).hasSize(5);
        assertThat(engine.status("web").activeVersion()).isEqualTo("v6");
        assertThat(engine.status("web").activeSlot()).isEqualTo(Slot.GREEN);
    }

    @Test
    void configFailingNginxTestAbortsTheDeployWithNginxsMessageAndTheOldVersionKeepsServing() throws Exception {
        start(EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort()));
        assertThat(deploy("v1", "").outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
        nginx.addToHttpBlock("proxy_buffering maybe;");

        DeployResult result = deploy("v2", "");

        assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
        assertThat(result.reason()).startsWith("nginx refused the configuration with web routed to v2 (")
                .contains("invalid value \"maybe\" in \"proxy_buffering\" directive")
                .contains("nginx was not reloaded");
        assertThat(result.servingVersion()).isEqualTo("v1");
        assertThat(served()).isEqualTo("v1");
        ServiceStatus status = engine.status("web");
        assertThat(status.activeVersion()).isEqualTo("v1");
        assertThat(status.slots()).filteredOn(s -> s.slot() == Slot.GREEN).singleElement()
                .satisfies(s -> assertThat(s.version()).as("v2 was stopped").isNull());
        assertThat(Files.readString(nginx.upstreams.resolve("cutover-web.upstream")))
                .contains("server 127.0.0.1:" + status.slots().get(0).port() + ";");
    }

    @Test
    void verificationRollsBackAReleaseAnswering500sCountedFromNginxsAccessLog() throws Exception {
        start(EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort())
                .withVerify(VerifySpec.of(Duration.ofSeconds(8), 0.05, 20)));
        assertThat(deploy("v1", "").outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
        LoadGenerator load = LoadGenerator.builder(java.net.URI.create("http://127.0.0.1:" + nginx.port + "/"))
                .concurrency(8).duration(Duration.ofSeconds(60)).build();
        load.start();

        DeployResult result = deploy("v2", "error_ratio=0.5\n");
        LoadReport report = load.stop();

        assertThat(result.outcome()).as(result.reason()).isEqualTo(DeployOutcome.ROLLED_BACK);
        assertThat(result.reason()).contains("verification failed").contains("5xx").contains("max_error_ratio 5.0%");
        assertThat(served()).isEqualTo("v1");
        assertThat(report.failed()).as("only v2's own 500s failed: " + report.summary())
                .isEqualTo(report.failures(FailureCause.HTTP_5XX));
        assertThat(report.failures(FailureCause.HTTP_5XX)).isPositive();
    }

    private DeployResult deploy(String version, String behavior) throws Exception {
        Path builds = Files.createDirectories(dir.resolve("builds"));
        Path artifact = Files.writeString(builds.resolve(version + ".properties"), behavior);
        return engine.deploy(DeployRequest.of("web", version).withArtifact(artifact), e -> {
            events.add(e);
            if (e.phase() == DeployPhase.HEALTH_CHECK && e.message().contains(" is healthy after ")) {
                switches.put(version, new long[] {System.nanoTime(), 0});
            }
        });
    }

    private String served() throws IOException {
        try (RawHttp client = RawHttp.connect(nginx.port)) {
            return client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readResponse().header("x-version");
        }
    }

    private List<String> messages() {
        return events.stream().map(DeployEvent::message).toList();
    }
}
