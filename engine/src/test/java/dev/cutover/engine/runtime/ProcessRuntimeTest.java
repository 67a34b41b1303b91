package dev.cutover.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.Slot;
import dev.cutover.testing.Eventually;

/** Real child processes through {@link ProcessRuntime}: sessions, logs, group stops, adoption. */
class ProcessRuntimeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final ProcessRuntime runtime = new ProcessRuntime();
    private final List<RunningApp> started = new ArrayList<>();

    @AfterEach
    void stopEverythingWeStarted() {
        for (RunningApp app : started) {
            runtime.stop(app, Duration.ZERO);
        }
        runtime.close();
    }

    private RunningApp start(LaunchSpec launch) throws AppStartException {
        final RunningApp app = runtime.start(launch);
        started.add(app);
        return app;
    }

    private RunningApp startShell(String script) throws AppStartException {
        return start(TestLaunches.shell(dir, script));
    }

    private void awaitLog(RunningApp app, String text) {
        // Line starts, not substrings: the banner line quotes the script, which contains the same words.
        Eventually.await("log of pid " + app.pid() + " has a line starting '" + text + "'", WAIT,
                () -> runtime.logTail(app, 50), tail -> tail.lines().anyMatch(l -> l.startsWith(text)));
    }

    @Test
    void appLeadsItsOwnSessionAndProcessGroupUnderTheSamePid() throws Exception {
        final RunningApp app = startShell("echo ready; exec sleep 60");
        awaitLog(app, "ready");
        final ProcStat stat = ProcStat.of(app.pid()).orElseThrow();
        assertThat(stat.pgrp()).as("pgid").isEqualTo(app.pid());
        assertThat(stat.session()).as("sid").isEqualTo(app.pid());
        final ProcStat us = ProcStat.of(ProcessHandle.current().pid()).orElseThrow();
        assertThat(stat.session()).as("not in the daemon's session").isNotEqualTo(us.session());
        assertThat(app.processStart()).isEqualTo(ProcessHandle.of(app.pid()).orElseThrow().info().startInstant().orElseThrow());
    }

    @Test
    void appHasNoPipeToTheDaemonOnlyDevNullAndItsLogFile() throws Exception {
        final RunningApp app = startShell("echo ready; exec sleep 60");
        awaitLog(app, "ready");
        final Path fds = Path.of("/proc", Long.toString(app.pid()), "fd");
        assertThat(Files.readSymbolicLink(fds.resolve("0")).toString()).isEqualTo("/dev/null");
        assertThat(Files.readSymbolicLink(fds.resolve("1"))).isEqualTo(app.logFile().toRealPath());
        assertThat(Files.readSymbolicLink(fds.resolve("2"))).isEqualTo(app.logFile().toRealPath());
        assertThat(app.logFile().getFileName().toString()).isEqualTo("web-v1-blue.log");
    }

    @Test
    void environmentCarriesLaunchEnvPlusPortVersionAndSlot() throws Exception {
        final LaunchSpec launch = new LaunchSpec("web", "v7", Slot.GREEN, 18082,
                List.of("sh", "-c", "echo \"env $PORT $VERSION $SLOT $GREETING $HOME\"; exec sleep 60"),
                Map.of("GREETING", "hello"), dir, dir);
        final RunningApp app = start(launch);
        awaitLog(app, "env 18082 v7 green hello " + System.getenv("HOME"));
        assertThat(app.logFile().getFileName().toString()).isEqualTo("web-v7-green.log");
    }

    @Test
    void termThatTheAppHandlesStopsItGracefullyWithItsExitCode() throws Exception {
        final RunningApp app = startShell("trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.1; done");
        awaitLog(app, "ready");
        final StopResult result = runtime.stop(app, Duration.ofSeconds(10));
        assertThat(result.wasRunning()).isTrue();
        assertThat(result.killed()).isFalse();
        assertThat(result.exitCode()).isEqualTo(7);
        assertThat(result.took()).isLessThan(Duration.ofSeconds(5));
        assertThat(runtime.isAlive(app)).isFalse();
        assertThat(runtime.exitCode(app)).contains(7);
        assertThat(runtime.logTail(app, 5).lines()).contains("got TERM");
    }

    @Test
    void appIgnoringTermIsKilledAfterTheGrace() throws Exception {
        final RunningApp app = startShell("trap '' TERM; echo ready; while :; do sleep 0.1; done");
        awaitLog(app, "ready");
        final StopResult result = runtime.stop(app, Duration.ofMillis(700));
        assertThat(result.wasRunning()).isTrue();
        assertThat(result.killed()).isTrue();
        assertThat(result.took()).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        assertThat(result.exitCode()).isEqualTo(128 + 9);
        assertThat(runtime.isAlive(app)).isFalse();
        assertThat(result.describe()).startsWith("did not stop within its grace period and was killed");
    }

    @Test
    void termReachesTheWholeProcessGroupNotJustTheLeader() throws Exception {
        final RunningApp app = startShell("sleep 600 & echo \"child $!\"; trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done");
        awaitLog(app, "ready");
        final long child = childPid(app);
        assertThat(ProcStat.of(child).orElseThrow().pgrp()).isEqualTo(app.pid());
        final StopResult result = runtime.stop(app, Duration.ofSeconds(10));
        assertThat(result.killed()).as("the child died of TERM, no KILL needed").isFalse();
        Eventually.await("child " + child + " is gone", WAIT, () -> ProcessHandle.of(child).isEmpty());
    }

    @Test
    void childThatIgnoresTermIsKilledEvenAfterItsLeaderExited() throws Exception {
        final RunningApp app = startShell("sh -c \"trap '' TERM; while :; do sleep 0.1; done\" & echo \"child $!\"; "
                + "trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done");
        awaitLog(app, "ready");
        final long child = childPid(app);
        final StopResult result = runtime.stop(app, Duration.ofMillis(700));
        assertThat(result.wasRunning()).isTrue();
        assertThat(result.exitCode()).isZero();
        assertThat(result.killed()).as("the lingering child needed SIGKILL").isTrue();
        Eventually.await("child " + child + " is gone", WAIT, () -> ProcessHandle.of(child).isEmpty());
        assertThat(new ProcessGroup(app.pid()).members()).isEmpty();
    }

    @Test
    void stopIsIdempotent() throws Exception {
        final RunningApp app = startShell("echo ready; exec sleep 60");
        awaitLog(app, "ready");
        assertThat(runtime.stop(app, Duration.ofSeconds(10)).wasRunning()).isTrue();
        final StopResult again = runtime.stop(app, Duration.ofSeconds(10));
        assertThat(again.wasRunning()).isFalse();
        assertThat(again.killed()).isFalse();
        assertThat(again.exitCode()).isEqualTo(128 + 15);
        assertThat(again.describe()).isEqualTo("had already exited (code 143)");
    }

    @Test
    void adoptTakesBackTheSameProcessAndRefusesAnotherStartTime() throws Exception {
        final RunningApp app = startShell("trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done");
        awaitLog(app, "ready");
        final RunningApp impostor = new RunningApp(app.service(), app.version(), app.slot(), app.port(), app.pid(),
                app.processStart().minusSeconds(1), app.logFile());
        try (ProcessRuntime restarted = new ProcessRuntime()) {
            assertThat(restarted.adopt(impostor)).isEmpty();
            assertThat(restarted.isAlive(impostor)).isFalse();
            final StopResult refused = restarted.stop(impostor, Duration.ofSeconds(1));
            assertThat(refused.wasRunning()).isFalse();
            assertThat(runtime.isAlive(app)).as("a mismatched start time must not be signalled").isTrue();

            final RunningApp adopted = restarted.adopt(app).orElseThrow();
            assertThat(restarted.exitCode(adopted)).as("not its child: no exit code").isEmpty();
            final var exit = restarted.onExit(adopted);
            final StopResult stopped = restarted.stop(adopted, Duration.ofSeconds(10));
            assertThat(stopped.wasRunning()).isTrue();
            assertThat(stopped.killed()).isFalse();
            assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        }
        assertThat(runtime.isAlive(app)).isFalse();
    }

    @Test
    void onExitCompletesWithTheExitCode() throws Exception {
        final RunningApp app = startShell("sleep 0.3; exit 3");
        assertThat(runtime.onExit(app).get(20, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(runtime.onExit(app).get(1, TimeUnit.SECONDS)).as("again, after the end").isEqualTo(3);
        assertThat(runtime.exitCode(app)).contains(3);
    }

    @Test
    void logTailGivesTheLastLines() throws Exception {
        final RunningApp app = startShell("i=1; while [ $i -le 500 ]; do echo \"line $i\"; i=$((i+1)); done; exec sleep 60");
        awaitLog(app, "line 500");
        assertThat(runtime.logTail(app, 3)).isEqualTo("line 498\nline 499\nline 500");
    }

    @Test
    void logOverTheCapIsRotatedToDotOneWhileTheAppKeepsWriting() throws Exception {
        final long cap = 16 * 1024;
        try (ProcessRuntime capped = new ProcessRuntime(cap)) {
            final RunningApp app = capped.start(TestLaunches.shell(dir,
                    "n=0; while :; do i=0; while [ $i -lt 50 ]; do n=$((n+1)); echo \"line $n of a log that keeps growing\"; i=$((i+1)); done; sleep 0.1; done"));
            try {
                final Path rotated = app.logFile().resolveSibling(app.logFile().getFileName() + ".1");
                Eventually.await("rotated to " + rotated, WAIT, () -> Files.exists(rotated));
                final long lastRotated = lastLineNumber(Files.readString(rotated));
                Eventually.await("the app writes on after the truncate", WAIT,
                        () -> lastLineNumber(capped.logTail(app, 1)) > lastRotated + 100);
                final byte[] current = Files.readAllBytes(app.logFile());
                assertThat(current.length).as("the file was truncated, not left to grow").isLessThan((int) cap * 4);
                assertThat(new String(current)).as("O_APPEND: no hole of zeros where the old content was").doesNotContain("\0");
                assertThat(Files.size(rotated)).isGreaterThan(cap);
            } finally {
                capped.stop(app, Duration.ZERO);
            }
        }
    }

    @Test
    void missingCommandIsReportedWithThePathSearched() {
        final LaunchSpec launch = new LaunchSpec("web", "v1", Slot.BLUE, 8082, List.of("jva", "-jar", "app.jar"),
                Map.of("PATH", "/usr/local/bin:/usr/bin"), dir, dir);
        assertThatThrownBy(() -> runtime.start(launch))
                .isInstanceOf(AppStartException.class)
                .hasMessage("command 'jva' was not found (looked in PATH=/usr/local/bin:/usr/bin); "
                        + "check `command` of service web in cutover.yml");
    }

    @Test
    void missingWorkdirIsReported() {
        final Path nowhere = dir.resolve("nowhere");
        final LaunchSpec launch = new LaunchSpec("web", "v1", Slot.BLUE, 8082, List.of("sh", "-c", "true"), Map.of(), nowhere, dir);
        assertThatThrownBy(() -> runtime.start(launch))
                .isInstanceOf(AppStartException.class)
                .hasMessageContaining("working directory " + nowhere)
                .hasMessageContaining("does not exist");
    }

    @Test
    void scriptPathThatIsNotExecutableIsReported() throws IOException {
        Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\necho hi\n");
        final LaunchSpec launch = new LaunchSpec("web", "v1", Slot.BLUE, 8082, List.of("./run.sh"), Map.of(), dir, dir);
        assertThatThrownBy(() -> runtime.start(launch))
                .isInstanceOf(AppStartException.class)
                .hasMessageContaining("command './run.sh' was not found or is not executable");
    }

    private long childPid(RunningApp app) {
        final String tail = Eventually.await("child pid in the log", WAIT, () -> runtime.logTail(app, 50),
                t -> t.lines().anyMatch(l -> l.startsWith("child ")));
        final String line = tail.lines().filter(l -> l.startsWith("child ")).findFirst().orElseThrow();
        return Long.parseLong(line.substring("child ".length()).trim());
    }

    private static long lastLineNumber(String text) {
        final String[] lines = text.strip().split("\n");
        final String[] words = lines[lines.length - 1].split(" ");
        return words.length > 1 && words[1].matches("\\d+") ? Long.parseLong(words[1]) : -1;
    }
}
