package dev.cutover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.testing.Eventually;

/**
 * A daemon stopping (SIGTERM) mid-deploy: before the switch the new release goes, gracefully; during
 * verification the unverified release gives way to the old one. Either way the old one serves.
 */
class EngineStopTest {

    @TempDir
    Path dir;

    @Test
    void stopDuringHealthCheckAbortsAndStopsTheNewReleaseGracefully() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            h.deploy("v1");
            CompletableFuture<DeployResult> deploy = deployInBackground(h, "v2", "startup_delay=30s\n");
            Eventually.await("v2 in its health check", Duration.ofSeconds(20),
                    () -> h.engine.status(EngineHarness.SERVICE).deployingPhase() == DeployPhase.HEALTH_CHECK);

            h.engine.stop(Duration.ofSeconds(15));
            DeployResult result = deploy.get(20, TimeUnit.SECONDS);

            assertThat(result.outcome()).isEqualTo(DeployOutcome.ABORTED);
            assertThat(result.reason()).contains("shutting down");
            assertThat(h.messages()).anySatisfy(m -> assertThat(m).contains("v2").contains("stopped gracefully"));
            assertThat(h.servedVersion()).isEqualTo("v1");
        }
    }

    @Test
    void stopDuringVerificationSendsTrafficBackToTheOldRelease() throws Exception {
        ServiceSpec spec = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort())
                .withVerify(VerifySpec.of(Duration.ofSeconds(30), 0.05, 50));
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"), spec)) {
            h.deploy("v1");
            CompletableFuture<DeployResult> deploy = deployInBackground(h, "v2", "");
            Eventually.await("v2 under verification", Duration.ofSeconds(20),
                    () -> h.engine.status(EngineHarness.SERVICE).deployingPhase() == DeployPhase.VERIFY);

            h.engine.stop(Duration.ofSeconds(15));
            DeployResult result = deploy.get(20, TimeUnit.SECONDS);

            assertThat(result.outcome()).isEqualTo(DeployOutcome.INTERRUPTED);
            assertThat(result.reason()).contains("before v2 was verified").contains("went back to v1");
            assertThat(result.servingVersion()).isEqualTo("v1");
            assertThat(h.servedVersion()).isEqualTo("v1");
            assertThat(h.engine.status(EngineHarness.SERVICE).activeVersion()).as("the disk agrees").isEqualTo("v1");
        }
    }

    @Test
    void aStoppingEngineRefusesNewDeploys() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            h.engine.stop(Duration.ofSeconds(1));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> h.deploy("v1"))
                    .isInstanceOf(DeployRefusedException.class).hasMessageContaining("shutting down");
        }
    }

    private static CompletableFuture<DeployResult> deployInBackground(EngineHarness h, String version, String behavior) {
        CompletableFuture<DeployResult> result = new CompletableFuture<>();
        Thread.ofPlatform().name("deploy-" + version).start(() -> {
            try {
                result.complete(h.deploy(version, behavior));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
