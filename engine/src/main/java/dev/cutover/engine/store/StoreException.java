package dev.cutover.engine.store;

/**
 * The state database could not do what was asked. The message says what failed, on which file,
 * and what an operator can do about it.
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
