package dev.cutover.server.tls;

/**
 * A PEM file cannot be used: missing, unreadable, not PEM, or not what it should hold. The message
 * is a sentence naming the file and what to do; callers put the setting's name in front.
 */
public final class PemException extends Exception {

    PemException(String message) {
        super(message, null, false, false);
    }
}
