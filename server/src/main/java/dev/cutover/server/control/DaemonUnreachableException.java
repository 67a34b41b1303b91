package dev.cutover.server.control;

/**
 * The CLI could not talk to the daemon at all: no socket, nobody listening, no permission, a TLS
 * handshake that failed (a certificate not trusted, expired or for another name), or the connection
 * broke before a complete answer. The CLI exits 3 on it.
 */
public final class DaemonUnreachableException extends RuntimeException {

    public DaemonUnreachableException(String message) {
        super(message);
    }

    public DaemonUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
