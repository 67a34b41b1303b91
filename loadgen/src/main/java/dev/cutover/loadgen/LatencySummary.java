package dev.cutover.loadgen;

import org.HdrHistogram.Histogram;

/**
 * Latency percentiles, in milliseconds, over every request that received a complete response, 5xx
 * included ({@link RequestRecord#answered()}). Requests that never got one (refused, reset, timed out)
 * are left out: their "latency" is time-to-failure, and refused connects taking 50 microseconds each
 * would make a dead service look fast.
 */
public record LatencySummary(long count, double p50Ms, double p90Ms, double p99Ms, double maxMs, double meanMs) {

    static LatencySummary of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }
        return new LatencySummary(
                micros.getTotalCount(),
                millis(micros.getValueAtPercentile(50)),
                millis(micros.getValueAtPercentile(90)),
                millis(micros.getValueAtPercentile(99)),
                millis(micros.getMaxValue()),
                micros.getMean() / 1000.0);
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }
}
