package dev.cutover.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.DeployPhase;
import dev.cutover.engine.Slot;
import dev.cutover.engine.runtime.RunningApp;

/** A daemon killed with SIGKILL mid-deploy: its successor opens the state dir and finds every committed fact. */
class StoreSurvivesKillTest {

    @TempDir
    Path tmp;

    @Test
    void stateWrittenBeforeKillMinus9IsThereAndTheStateDirIsFreeForTheNextDaemon() throws Exception {
        final Path dbFile = tmp.resolve("state").resolve("state.db");
        final String java = ProcessHandle.current().info().command().orElse("java");
        final Process daemon = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StoreWriterProcess.class.getName(), dbFile.toString())
                .redirectError(tmp.resolve("child.err").toFile())
                .start();
        final long id;
        try {
            final BufferedReader out = new BufferedReader(
                    new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
            final String line = out.readLine(); // bounded: the child exits after 60 s at most
            assertThat(line).as("child stdout (stderr in %s)", tmp.resolve("child.err")).startsWith(StoreWriterProcess.WRITTEN);
            id = Long.parseLong(line.substring(StoreWriterProcess.WRITTEN.length() + 1));
        } finally {
            daemon.destroyForcibly(); // SIGKILL: no close(), no shutdown hook, no checkpoint
            assertThat(daemon.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(daemon.exitValue()).isEqualTo(137);

        try (Store next = Store.open(dbFile)) {
            assertThat(next.unfinished()).extracting(DeploymentRecord::id).containsExactly(id);
            assertThat(next.events(id)).extracting(e -> e.phase() + " " + e.elapsed() + " " + e.message())
                    .containsExactly(DeployPhase.SWITCH + " " + Duration.ofSeconds(2) + " traffic switched to green");
            assertThat(next.state("web")).contains(new ServiceState("web", Slot.GREEN, "2.0", id,
                    StoreWriterProcess.AT.plusSeconds(2)));
            assertThat(next.apps()).isEqualTo(List.of(new RunningApp("web", "2.0", Slot.GREEN, 8082, 4242,
                    StoreWriterProcess.AT.plusNanos(1), Path.of("/logs/g.log"))));
        }
    }
}
