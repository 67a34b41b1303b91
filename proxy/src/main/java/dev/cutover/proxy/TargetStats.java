package dev.cutover.proxy;

/**
 * A snapshot of one target's counters.
 *
 * @param requests    requests dispatched to the target, including those retried away from it
 * @param inFlight    requests (and upgraded connections) it holds right now
 * @param retriedAway requests that could not reach it before a byte was sent and went to the current route
 */
public record TargetStats(String target, long requests, long inFlight, long retriedAway,
                          long responses1xx, long responses2xx, long responses3xx,
                          long responses4xx, long responses5xx, LatencySummary latency) {

    public long responses() {
        return responses1xx + responses2xx + responses3xx + responses4xx + responses5xx;
    }

    /** The counters gathered since {@code earlier} was taken (latency stays cumulative). */
    public TargetStats since(TargetStats earlier) {
        return new TargetStats(target, requests - earlier.requests, inFlight, retriedAway - earlier.retriedAway,
                responses1xx - earlier.responses1xx, responses2xx - earlier.responses2xx,
                responses3xx - earlier.responses3xx, responses4xx - earlier.responses4xx,
                responses5xx - earlier.responses5xx, latency);
    }
}
