package dev.cutover.loadgen;

/**
 * Where a running load stands, for a live terminal view.
 *
 * @param requestsPerSecond completed requests per second over the last progress interval
 */
public record ProgressSnapshot(double elapsedSeconds, long total, long ok, long failed, double requestsPerSecond) {
}
