package dev.cutover.engine.runtime;

/** A release could not be started at all; the message says why and what to check. */
public final class AppStartException extends Exception {

    public AppStartException(String message, Throwable cause) {
        super(message, cause);
    }

    public AppStartException(String message) {
        super(message);
    }
}
