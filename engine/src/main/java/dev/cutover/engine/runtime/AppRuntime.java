package dev.cutover.engine.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Runs releases: a local process or a container today, a pod later. The engine knows nothing
 * else about how a release runs.
 */
public interface AppRuntime {

    /**
     * Starts a release and returns at once (readiness is the health check's business).
     *
     * @throws AppStartException when it could not even be started (no such command, bad workdir)
     */
    RunningApp start(LaunchSpec launch) throws AppStartException;

    /** Stops it gracefully: SIGTERM (or the runtime's equivalent), {@code grace}, then SIGKILL. */
    StopResult stop(RunningApp app, Duration grace);

    /** Whether it still runs (and is still the same process, not a reused pid). */
    boolean isAlive(RunningApp app);

    /** Its exit code if it ended and the code is known (not for apps adopted after a restart). */
    Optional<Integer> exitCode(RunningApp app);

    /**
     * Completes with its exit code when it ends (-1 when the code cannot be known), so a health
     * check stops waiting for a release that died.
     */
    CompletableFuture<Integer> onExit(RunningApp app);

    /** The last {@code lines} lines of its output, for error messages. */
    String logTail(RunningApp app, int lines);

    /**
     * Gets a release ready before anything is started, in the deploy's PREPARE phase: for a
     * container, the engine answers and the image is here (pulled if it was not). Nothing to do
     * for a local process.
     *
     * @param image the release's image, or null
     * @return what was done, for the deploy's timeline, if anything
     * @throws AppStartException when the release cannot be started at all (engine unreachable, pull failed)
     */
    default Optional<String> prepare(String service, String image) throws AppStartException {
        return Optional.empty();
    }

    /** How messages name it: "pid 4711", "container cutover-web-blue-v2 (3f2a1b0c9d8e)". */
    default String describe(RunningApp app) {
        return "pid " + app.pid();
    }

    /** Where an operator reads its output: a log file, or the command that shows it. */
    default String logName(RunningApp app) {
        return app.logFile().toString();
    }

    /**
     * Takes back an app recorded by an earlier daemon: present only if that very process (same pid,
     * same start time) still runs.
     */
    Optional<RunningApp> adopt(RunningApp recorded);
}
