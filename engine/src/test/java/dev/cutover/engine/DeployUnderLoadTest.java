package dev.cutover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.store.DeploymentRecord;
import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;

/** The promise itself: a run of deploys under load, slow requests in flight at every switch, loses nothing. */
class DeployUnderLoadTest {

    @TempDir
    Path dir;

    @Test
    void deploySequenceUnderLoadWithSlowRequestsLosesNoRequest() throws Exception {
        try (EngineHarness h = EngineHarness.start(dir.resolve("state"))) {
            assertThat(h.deploy("v1").outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
            LoadGenerator load = LoadGenerator.builder(h.url("/")).concurrency(24).duration(Duration.ofSeconds(90))
                    .slowEvery(20).slowMs(1000).uploadEvery(15).uploadBytes(32 * 1024).build();
            load.start();
            List<String> versions = List.of("v2", "v3", "v4", "v5");
            for (String version : versions) {
                DeployResult result = h.deploy(version);
                assertThat(result.outcome()).as(result.reason()).isEqualTo(DeployOutcome.SUCCEEDED);
                assertThat(result.servingVersion()).isEqualTo(version);
            }
            LoadReport report = load.stop();

            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.requests(dev.cutover.loadgen.RequestKind.SLOW)).isPositive();
            assertThat(report.versions().keySet()).containsAll(versions);
            ServiceStatus status = h.engine.status(EngineHarness.SERVICE);
            assertThat(status.activeVersion()).isEqualTo("v5");
            assertThat(status.slots()).filteredOn(SlotStatus::active).singleElement()
                    .satisfies(slot -> assertThat(slot.alive()).isTrue());
            assertThat(status.slots()).filteredOn(s -> !s.active()).singleElement()
                    .satisfies(slot -> assertThat(slot.version()).as("the old slot was stopped").isNull());
            List<DeploymentRecord> history = h.engine.history(EngineHarness.SERVICE, 10);
            assertThat(history).extracting(DeploymentRecord::version).containsExactly("v5", "v4", "v3", "v2", "v1");
            assertThat(history).extracting(DeploymentRecord::outcome).containsOnly(DeployOutcome.SUCCEEDED);
            assertThat(h.messages()).anySatisfy(m -> assertThat(m).contains("drained"));
        }
    }
}
