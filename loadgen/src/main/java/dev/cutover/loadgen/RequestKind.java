package dev.cutover.loadgen;

/** What a request exercises: a fast GET, a request the server holds open for a while, or a streamed upload. */
public enum RequestKind {
    /** {@code GET <path of the target URL>}. */
    NORMAL,
    /** {@code GET /slow?ms=N}: in flight long enough to straddle a switch or a drain. */
    SLOW,
    /** {@code POST /upload} with a streamed body whose echo (byte count and SHA-256) is verified. */
    UPLOAD
}
