package dev.cutover.engine;

/**
 * A deploy or rollback that was not started at all: the service is unknown, another deploy of it
 * runs, there is nothing to roll back to. Nothing changed; the message says why and what to do.
 */
public final class DeployRefusedException extends Exception {

    public DeployRefusedException(String message) {
        super(message);
    }
}
