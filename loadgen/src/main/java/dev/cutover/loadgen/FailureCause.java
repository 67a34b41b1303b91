package dev.cutover.loadgen;

/** Why a request counts as failed. {@link #code()} is the stable name used in reports and JSON. */
public enum FailureCause {
    /** Nothing accepted the connection (RST on SYN): typically no process listening on the port. */
    CONNECT_REFUSED("connect_refused"),
    /** The connection could not be opened for another reason (unreachable, connect timeout, ...). */
    CONNECT_FAILED("connect_failed"),
    /** The connection was reset or closed, or a write failed, before the response was complete. */
    PREMATURE_CLOSE("premature_close"),
    /** No complete response within the request timeout. */
    TIMEOUT("timeout"),
    /** The bytes that came back were not a valid HTTP/1.1 response. */
    MALFORMED_RESPONSE("malformed_response"),
    /** A complete response with a 5xx status: the user saw an error page. */
    HTTP_5XX("http_5xx", true),
    /** An upload was answered 2xx, but the echoed byte count or SHA-256 differs from what was sent. */
    BAD_BODY("bad_body", true);

    private final String code;
    private final boolean answered;

    FailureCause(String code) {
        this(code, false);
    }

    FailureCause(String code, boolean answered) {
        this.code = code;
        this.answered = answered;
    }

    /** Whether a request failing this way still received a complete response (status, version, latency). */
    public boolean answered() {
        return answered;
    }

    public String code() {
        return code;
    }
}
