package dev.cutover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.store.DeploymentRecord;
import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;

/**
 * A release that cannot serve never touches traffic: the deploy is aborted with a reason an
 * operator can act on, the old release keeps serving, and not one request fails meanwhile.
 */
class AbortedDeployTest {

    @TempDir
    Path dir;

    @Test
    void neverHealthyReleaseIsAbortedAtTheDeadlineAndTheOldOneKeepsServing() throws Exception {
        // Long enough for the JVM to start on a busy 2-core machine, so the last answer is the app's 503.
        ServiceSpec spec = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort())
                .withHealth(new HealthSpec("/health", Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(8), 2, 0));
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"), spec)) {
            h.deploy("v1");
            LoadGenerator load = LoadGenerator.builder(h.url("/")).concurrency(8).duration(Duration.ofSeconds(60)).build();
            load.start();

            DeployResult result = h.deploy("v2", "never_healthy=true\n");
            LoadReport report = load.stop();

            assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
            assertThat(result.reason()).contains("never became healthy").contains("503").contains("/health");
            assertThat(result.servingVersion()).isEqualTo("v1");
            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.versions().keySet()).containsExactly("v1");
            assertOnlyServing(h, "v1");
            assertThat(h.engine.history(EngineHarness.SERVICE, 1)).singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains("never became healthy"));
        }
    }

    @Test
    void releaseThatCrashesOnStartIsAbortedAtOnceWithItsExitCodeAndLog() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            h.deploy("v1");
            long start = System.nanoTime();

            DeployResult result = h.deploy("v2", "crash_on_start=true\n");

            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
                    .as("did not wait out the 20 s health deadline").isLessThan(10);
            assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
            assertThat(result.reason()).contains("exited with code 3").contains("last lines of");
            assertOnlyServing(h, "v1");
        }
    }

    @Test
    void portTakenByAForeignProcessAbortsNamingItAndTheOldOneKeepsServing() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            h.deploy("v1");
            int greenPort = h.spec.port(Slot.GREEN);
            try (ServerSocket squatter = new ServerSocket(greenPort, 1, InetAddress.getLoopbackAddress())) {
                DeployResult result = h.deploy("v2");

                assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
                assertThat(result.reason()).contains("port " + greenPort).contains("green").contains("taken")
                        .contains("pid " + ProcessHandle.current().pid());
                assertOnlyServing(h, "v1");
            }
            assertThat(h.deploy("v2").outcome()).as("once the port is free again").isEqualTo(DeployOutcome.SUCCEEDED);
        }
    }

    @Test
    void secondDeployOfTheSameServiceWhileOneRunsIsRefusedAtOnce() throws Exception {
        ServiceSpec spec = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort())
                .withHealth(new HealthSpec("/health", Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(4), 2, 0));
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"), spec)) {
            h.deploy("v1");
            Thread slow = Thread.ofVirtual().start(() -> {
                try {
                    h.deploy("v2", "never_healthy=true\n");
                } catch (DeployRefusedException e) {
                    throw new AssertionError(e);
                }
            });
            dev.cutover.testing.Eventually.await("v2 is being deployed", Duration.ofSeconds(10),
                    () -> h.engine.status(EngineHarness.SERVICE).deploying() != null);

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.deploy("v3"))
                    .isInstanceOf(DeployRefusedException.class)
                    .hasMessageContaining("already being deployed").hasMessageContaining("v2").hasMessageContaining("since");
            slow.join();
            assertThat(h.engine.history(EngineHarness.SERVICE, 10)).extracting(DeploymentRecord::version)
                    .as("the refused deploy left no record").containsExactly("v2", "v1");
        }
    }

    @Test
    void artifactThatDoesNotExistIsAbortedNamingThePath() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            DeployResult result = h.engine.deploy(DeployRequest.of(EngineHarness.SERVICE, "v1")
                    .withArtifact(dir.resolve("nope.jar")), e -> { });
            assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
            assertThat(result.reason()).contains(dir.resolve("nope.jar").toString());
            assertThat(result.servingVersion()).isNull();
        }
    }

    @Test
    void imageForAProcessServiceIsRefusedBeforeAnythingStarts() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.engine.deploy(
                            new DeployRequest(EngineHarness.SERVICE, "v1", null, "registry.local/web:v1", DeployKind.DEPLOY), e -> { }))
                    .isInstanceOf(DeployRefusedException.class).hasMessageContaining("--image")
                    .satisfies(e -> assertThat(((DeployRefusedException) e).reason()).isEqualTo(DeployRefusedException.Reason.INVALID));
            assertThat(h.engine.history(EngineHarness.SERVICE, 10)).isEmpty();
        }
    }

    @Test
    void versionThatCannotNameAFolderIsRefusedBeforeAnythingStarts() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.engine.deploy(DeployRequest.of(EngineHarness.SERVICE,
                            "feature/x").withArtifact(h.artifact("v1", "")), e -> { }))
                    .isInstanceOf(DeployRefusedException.class).hasMessageContaining("'feature/x' cannot name a release");
            assertThat(h.engine.history(EngineHarness.SERVICE, 10)).isEmpty();
        }
    }

    private static void assertOnlyServing(EngineHarness h, String version) throws IOException {
        ServiceStatus status = h.engine.status(EngineHarness.SERVICE);
        assertThat(status.activeVersion()).isEqualTo(version);
        assertThat(status.slots()).filteredOn(s -> s.version() != null).singleElement()
                .satisfies(s -> {
                    assertThat(s.version()).isEqualTo(version);
                    assertThat(s.alive()).isTrue();
                    assertThat(s.active()).isTrue();
                });
        assertThat(h.servedVersion()).isEqualTo(version);
    }
}
