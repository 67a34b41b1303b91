package dev.cutover.loadgen;

/**
 * The outcome of one request, exactly as the client saw it. Times are {@link System#nanoTime()} values,
 * so tests can compare them with their own nanoTime stamps (for example the moment of a switch).
 *
 * @param sequence      run-wide number of the request, from 1; every number is recorded exactly once
 * @param kind          what the request was
 * @param startNanos    when the request was issued, before opening a connection if one was needed;
 *                      latency is measured from here, because a user waits for the connect too
 * @param dispatchNanos when its first byte was queued on the connection; equals {@code startNanos}
 *                      when no byte was ever sent (the connect failed or timed out)
 * @param completedNanos when the response was complete, or the failure was noticed
 * @param status        HTTP status, or 0 when no response head arrived
 * @param version       value of the version header of the response, or null when absent
 * @param cause         why the request failed, or null when it is ok
 * @param detail        a sentence on the failure (the exception message, the bad echo), or null when ok
 */
public record RequestRecord(
        long sequence,
        RequestKind kind,
        long startNanos,
        long dispatchNanos,
        long completedNanos,
        int status,
        String version,
        FailureCause cause,
        String detail) {

    public boolean ok() {
        return cause == null;
    }

    /**
     * Whether a complete response arrived: ok, 5xx or a bad upload echo. A request cut off mid-body keeps
     * the status it saw, but was not answered.
     */
    public boolean answered() {
        return cause == null || cause.answered();
    }

    public long latencyNanos() {
        return completedNanos - startNanos;
    }
}
