package dev.cutover.engine;

/**
 * The steps of a deploy, in order. The engine is a state machine over these: each begins at one
 * line of {@link Deployment}.
 */
public enum DeployPhase {
    /** Lock taken, idle slot chosen, its port made free, the release recorded. */
    PREPARE,
    /** The runtime starts the release in the idle slot. */
    START,
    /** Polling the health endpoint until it answers well enough, long enough. */
    HEALTH_CHECK,
    /** One atomic route swap; the new active slot is written to disk in the same breath. */
    SWITCH,
    /** Waiting until the previous release holds no request. */
    DRAIN,
    /** Watching the new release's error ratio under real traffic, the previous one kept warm. */
    VERIFY,
    /** The previous release is stopped: SIGTERM, grace, SIGKILL. */
    STOP_OLD,
    /** Verification failed: traffic goes back to the previous release and the new one is stopped. */
    ROLLBACK,
    /** The deploy ended; the event's message says how. */
    DONE
}
