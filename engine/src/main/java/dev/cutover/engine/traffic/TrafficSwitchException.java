package dev.cutover.engine.traffic;

/**
 * A traffic switch refused or failed to route: the message says what failed, where, and what to do,
 * and the previous route still holds (the new release never received traffic).
 */
public final class TrafficSwitchException extends RuntimeException {

    public TrafficSwitchException(String message) {
        super(message);
    }
}
