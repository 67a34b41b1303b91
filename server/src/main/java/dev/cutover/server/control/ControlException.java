package dev.cutover.server.control;

/**
 * The control API answered with a status other than 2xx; {@link #getMessage()} is the daemon's
 * {@code error} text, written for the operator.
 *
 * <p>Handlers may throw it too: the server then answers with this status and message instead of
 * 500 (for example 404 "no service named web in cutover.yml").
 */
public final class ControlException extends RuntimeException {

    private final int status;

    public ControlException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, such as 400, 401, 404, 409 or 500. */
    public int status() {
        return status;
    }
}
