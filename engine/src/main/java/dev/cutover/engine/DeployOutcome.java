package dev.cutover.engine;

/** How a deployment ended. Every outcome but SUCCEEDED leaves the previous release serving. */
public enum DeployOutcome {
    /** The new release serves; the previous one is stopped. */
    SUCCEEDED,
    /** Failed before the switch (never healthy, crashed, port taken, ...): the new release never served. */
    ABORTED,
    /** Served, failed verification, and traffic went back to the previous release. */
    ROLLED_BACK,
    /** The daemon stopped (or was killed) mid-deploy; the next start settled on one release. */
    INTERRUPTED;

    /** The CLI's exit code for a deploy that ended this way. */
    public int exitCode() {
        return this == SUCCEEDED ? 0 : 1;
    }
}
