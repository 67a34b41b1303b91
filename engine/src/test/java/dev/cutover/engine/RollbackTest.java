package dev.cutover.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.store.DeploymentRecord;
import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;

/** Going back: by hand (rollback, rollback --to) and automatically (verification under real traffic). */
class RollbackTest {

    @TempDir
    Path dir;

    @Test
    void rollbackRedeploysThePreviousReleaseFromItsRetainedArtifact() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            h.deploy("v1");
            h.deploy("v2");
            // The build machine's copy is gone: the rollback must not need it.
            Files.delete(h.artifact("v1", ""));

            DeployResult result = h.engine.rollback(EngineHarness.SERVICE, null, h.events::add);

            assertThat(result.outcome()).as(result.reason()).isEqualTo(DeployOutcome.SUCCEEDED);
            assertThat(result.version()).isEqualTo("v1");
            assertThat(h.servedVersion()).isEqualTo("v1");
            assertThat(h.engine.history(EngineHarness.SERVICE, 1)).singleElement()
                    .satisfies(d -> assertThat(d.kind()).isEqualTo(DeployKind.ROLLBACK));
        }
    }

    @Test
    void rollbackToAnOlderVersionDeploysThatOne() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            h.deploy("v1");
            h.deploy("v2");
            h.deploy("v3");

            DeployResult result = h.engine.rollback(EngineHarness.SERVICE, "v1", h.events::add);

            assertThat(result.outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
            assertThat(h.servedVersion()).isEqualTo("v1");
            assertThat(h.engine.status(EngineHarness.SERVICE).activeVersion()).isEqualTo("v1");
        }
    }

    @Test
    void rollbackToAVersionNeverDeployedIsRefusedListingTheKnownOnes() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            h.deploy("v1");
            assertThatThrownBy(() -> h.engine.rollback(EngineHarness.SERVICE, "v9", e -> { }))
                    .isInstanceOf(DeployRefusedException.class).hasMessageContaining("never had a release v9")
                    .hasMessageContaining("v1");
            assertThatThrownBy(() -> h.engine.rollback(EngineHarness.SERVICE, null, e -> { }))
                    .isInstanceOf(DeployRefusedException.class).hasMessageContaining("no earlier successful release");
        }
    }

    @Test
    void releaseAnswering500sAfterTheSwitchIsRolledBackByVerificationUnderLoad() throws Exception {
        ServiceSpec spec = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort())
                .withVerify(VerifySpec.of(Duration.ofSeconds(10), 0.05, 30));
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"), spec)) {
            h.deploy("v1");
            LoadGenerator load = LoadGenerator.builder(h.url("/")).concurrency(8).duration(Duration.ofSeconds(60)).build();
            load.start();

            DeployResult result = h.deploy("v2", "error_ratio=0.5\n");
            LoadReport report = load.stop();

            assertThat(result.outcome()).isEqualTo(DeployOutcome.ROLLED_BACK);
            assertThat(result.reason()).contains("verification failed").contains("5xx").contains("max_error_ratio 5.0%");
            assertThat(result.servingVersion()).isEqualTo("v1");
            assertThat(h.servedVersion()).isEqualTo("v1");
            // The only failures are v2's own 500s, answered before verification caught them.
            assertThat(report.failed()).isEqualTo(report.failures(dev.cutover.loadgen.FailureCause.HTTP_5XX));
            assertThat(report.statusCount(500)).isPositive();
            ServiceStatus status = h.engine.status(EngineHarness.SERVICE);
            assertThat(status.slots()).filteredOn(s -> s.version() != null).extracting(SlotStatus::version).containsExactly("v1");
            DeploymentRecord recorded = h.engine.history(EngineHarness.SERVICE, 1).get(0);
            assertThat(recorded.outcome()).isEqualTo(DeployOutcome.ROLLED_BACK);
            assertThat(recorded.reason()).contains("responses");
        }
    }

    @Test
    void failedVerificationWithTheOldReleaseGoneFailsTheDeployAndSaysWhatServes() throws Exception {
        ServiceSpec spec = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort())
                .withVerify(VerifySpec.of(Duration.ofSeconds(10), 0.05, 30));
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"), spec)) {
            h.deploy("v1");
            var v1 = h.store.apps(EngineHarness.SERVICE).get(0);
            LoadGenerator load = LoadGenerator.builder(h.url("/")).concurrency(4).duration(Duration.ofSeconds(60)).build();
            load.start();

            // v1 dies right after the switch (an OOM kill, say): there is nothing to go back to.
            DeployResult result = h.engine.deploy(DeployRequest.of(EngineHarness.SERVICE, "v2")
                    .withArtifact(h.artifact("v2", "error_ratio=0.5\n")), event -> {
                        if (event.phase() == DeployPhase.SWITCH) {
                            h.runtime.stop(v1, Duration.ofSeconds(5));
                        }
                    });
            load.stop();

            assertThat(result.outcome()).isEqualTo(DeployOutcome.FAILED);
            assertThat(result.outcome().exitCode()).isEqualTo(1);
            assertThat(result.reason()).contains("verification failed").contains("nothing to roll back to")
                    .contains("v2 keeps serving");
            assertThat(h.servedVersion()).isEqualTo("v2");
        }
    }

    @Test
    void healthyReleasePassesVerificationAndTheOldOneIsStoppedAfterTheWindow() throws Exception {
        ServiceSpec spec = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort())
                .withVerify(VerifySpec.of(Duration.ofSeconds(2), 0.05, 10));
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"), spec)) {
            h.deploy("v1");
            LoadGenerator load = LoadGenerator.builder(h.url("/")).concurrency(4).duration(Duration.ofSeconds(60)).build();
            load.start();

            DeployResult result = h.deploy("v2");
            LoadReport report = load.stop();

            assertThat(result.outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
            assertThat(result.took()).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(h.messages()).anySatisfy(m -> assertThat(m).contains("v2 verified"));
        }
    }
}
