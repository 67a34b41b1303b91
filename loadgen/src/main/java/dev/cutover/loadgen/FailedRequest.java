package dev.cutover.loadgen;

/**
 * One failed request, kept in the report (the first few only) so a failing assertion can say what
 * happened and when.
 *
 * @param atMs      when it was dispatched, in milliseconds since the load started
 * @param latencyMs from issue to failure
 */
public record FailedRequest(
        long sequence, String kind, String cause, int status, String version, double atMs, double latencyMs,
        String detail) {
}
