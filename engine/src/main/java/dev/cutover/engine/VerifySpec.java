package dev.cutover.engine;

import java.time.Duration;

/**
 * Watching a new release under real traffic after the switch: if, within {@code window}, at least
 * {@code minRequests} responses came back and more than {@code maxErrorRatio} of them were 5xx,
 * traffic goes back to the previous release. The previous release keeps running meanwhile.
 */
public record VerifySpec(boolean enabled, Duration window, double maxErrorRatio, long minRequests) {

    public static final VerifySpec OFF = new VerifySpec(false, Duration.ZERO, 1.0, 0);

    public static VerifySpec of(Duration window, double maxErrorRatio, long minRequests) {
        return new VerifySpec(true, window, maxErrorRatio, minRequests);
    }

    /** Whether these counters break the promise: enough requests, and too many of them 5xx. */
    public boolean failedBy(long responses, long errors5xx) {
        return enabled && responses >= minRequests && responses > 0
                && (double) errors5xx / responses > maxErrorRatio;
    }
}
