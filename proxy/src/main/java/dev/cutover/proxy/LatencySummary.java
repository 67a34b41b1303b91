package dev.cutover.proxy;

import org.HdrHistogram.AbstractHistogram;

/** Response latency percentiles in milliseconds, read from a histogram of microseconds. */
public record LatencySummary(long count, double p50, double p90, double p99, double max) {

    static LatencySummary of(AbstractHistogram micros) {
        if (micros.getTotalCount() == 0) {
            return new LatencySummary(0, 0, 0, 0, 0);
        }
        return new LatencySummary(micros.getTotalCount(),
                micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(90) / 1000.0,
                micros.getValueAtPercentile(99) / 1000.0, micros.getMaxValue() / 1000.0);
    }
}
