package dev.cutover.engine;

/**
 * A deploy or rollback that was not started at all. Nothing changed; the message says why and what
 * to do, the reason says whether trying again later can help.
 */
public final class DeployRefusedException extends Exception {

    public enum Reason {
        /** No such service in the config. */
        UNKNOWN_SERVICE,
        /** The request can never work as given (nothing to roll back to, an option that does not apply). */
        INVALID,
        /** Another deploy of the service runs: try again when it is done. */
        BUSY
    }

    private final Reason reason;

    public DeployRefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
