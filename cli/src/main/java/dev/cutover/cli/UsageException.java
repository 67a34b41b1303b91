package dev.cutover.cli;

/** The command line (or the config it names) does not say something we need: exit 2, with the reason. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message, null, false, false);
    }
}
