package dev.cutover.loadgen;

/**
 * The longest run of consecutive failed requests, in completion order: what an outage looked like
 * from the client. The span runs from the earliest dispatch among those requests to the last one's
 * completion.
 *
 * @param requests how many failed requests in a row (0 when nothing failed)
 * @param spanMs   how long that run lasted
 * @param startMs  when it began, in milliseconds since the load started
 */
public record FailureWindow(long requests, double spanMs, double startMs) {

    public static final FailureWindow NONE = new FailureWindow(0, 0, 0);
}
