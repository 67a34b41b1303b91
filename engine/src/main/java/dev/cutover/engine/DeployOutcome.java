package dev.cutover.engine;

/**
 * How a deployment ended. ABORTED and ROLLED_BACK leave the previous release serving; FAILED and
 * INTERRUPTED say in their reason which release serves.
 */
public enum DeployOutcome {
    /** The new release serves; the previous one is stopped. */
    SUCCEEDED,
    /** Failed before the switch (never healthy, crashed, port taken, ...): the new release never served. */
    ABORTED,
    /** Served, failed verification, and traffic went back to the previous release. */
    ROLLED_BACK,
    /**
     * Verification failed but there was nothing to go back to (the previous release had died): the
     * new release keeps serving, if it still runs.
     */
    FAILED,
    /**
     * The daemon stopped (or was killed) mid-deploy. Before the switch, or before verification
     * passed, the previous release serves; after a switch without verification, the new one does.
     */
    INTERRUPTED;

    /** The CLI's exit code for a deploy that ended this way. */
    public int exitCode() {
        return this == SUCCEEDED ? 0 : 1;
    }
}
