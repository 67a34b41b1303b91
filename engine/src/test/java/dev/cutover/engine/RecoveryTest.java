package dev.cutover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.runtime.LaunchSpec;
import dev.cutover.engine.runtime.RunningApp;
import dev.cutover.engine.store.DeploymentRecord;

/** A new daemon trusts the disk: the recorded release serves again, leftovers go, history tells. */
class RecoveryTest {

    @TempDir
    Path dir;

    @Test
    void restartRoutesToTheVeryProcessThatWasServing() throws Exception {
        Path state = dir.resolve("state");
        ServiceSpec spec = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort());
        long pid;
        EngineHarness first = EngineHarness.start(state, spec);
        first.deploy("v1");
        pid = first.engine.status(EngineHarness.SERVICE).slots().stream().filter(SlotStatus::active).findFirst().orElseThrow().pid();
        first.die();

        try (EngineHarness second = EngineHarness.start(state, spec)) {
            List<String> report = second.engine.recover();

            assertThat(report).anySatisfy(line -> assertThat(line).contains("v1").contains("still runs"));
            assertThat(second.servedVersion()).isEqualTo("v1");
            assertThat(second.engine.status(EngineHarness.SERVICE).slots()).filteredOn(SlotStatus::active)
                    .singleElement().satisfies(s -> assertThat(s.pid()).isEqualTo(pid));
        }
    }

    @Test
    void restartStartsTheActiveReleaseAgainWhenItsProcessIsGone() throws Exception {
        Path state = dir.resolve("state");
        ServiceSpec spec = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort());
        EngineHarness first = EngineHarness.start(state, spec);
        first.deploy("v1");
        // The app dies while no daemon watches (a reboot, an OOM kill); its record stays.
        RunningApp app = first.store.apps(EngineHarness.SERVICE).get(0);
        first.runtime.stop(app, Duration.ofSeconds(5));
        first.die();

        try (EngineHarness second = EngineHarness.start(state, spec)) {
            List<String> report = second.engine.recover();

            assertThat(report).anySatisfy(line -> assertThat(line).contains("was not running").contains("started it again"));
            assertThat(second.servedVersion()).isEqualTo("v1");
        }
    }

    @Test
    void restartStopsTheLeftoverOfAnUnfinishedDeployAndMarksItInterrupted() throws Exception {
        Path state = dir.resolve("state");
        ServiceSpec spec = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort());
        EngineHarness first = EngineHarness.start(state, spec);
        first.deploy("v1");
        // What a daemon killed during v2's health check leaves behind: a begun deploy, a started process.
        long id = first.store.beginDeployment(EngineHarness.SERVICE, "v2", DeployKind.DEPLOY, Slot.GREEN, "v1", Instant.now());
        first.store.appendEvent(new DeployEvent(id, EngineHarness.SERVICE, DeployPhase.HEALTH_CHECK, Instant.now(),
                Duration.ofSeconds(1), "attempt 1/200: connection refused"));
        RunningApp leftover = first.runtime.start(new LaunchSpec(EngineHarness.SERVICE, "v2", Slot.GREEN, spec.port(Slot.GREEN),
                List.of("sleep", "600"), java.util.Map.of(), dir, dir));
        first.store.saveApp(leftover);
        first.die();

        try (EngineHarness second = EngineHarness.start(state, spec)) {
            List<String> report = second.engine.recover();

            assertThat(report).anySatisfy(line -> assertThat(line).contains("leftover v2").contains("pid " + leftover.pid()));
            assertThat(ProcessHandle.of(leftover.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(second.servedVersion()).isEqualTo("v1");
            DeploymentRecord interrupted = second.engine.history(EngineHarness.SERVICE, 1).get(0);
            assertThat(interrupted.outcome()).isEqualTo(DeployOutcome.INTERRUPTED);
            assertThat(interrupted.reason()).contains("HEALTH_CHECK").contains("v1 serves");
            assertThat(second.engine.deploy(DeployRequest.of(EngineHarness.SERVICE, "v2")
                    .withArtifact(second.artifact("v2", "")), e -> { }).outcome())
                    .as("the next deploy goes through").isEqualTo(DeployOutcome.SUCCEEDED);
        }
    }

}
