package dev.cutover.sample;

/** The sample app did not start listening; the message says why, in words an operator can act on. */
public final class SampleStartException extends RuntimeException {

    /** Why the start failed; the command line turns each into its own exit code. */
    public enum Reason {
        /** The behaviour asked for it (crash_on_start): the version under test is broken on purpose. */
        CRASHED_ON_PURPOSE,
        /** Another process already listens on the port. */
        PORT_IN_USE,
        /** Any other bind failure: unknown host, address not on this machine, permission denied. */
        CANNOT_LISTEN
    }

    private final Reason reason;

    SampleStartException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
