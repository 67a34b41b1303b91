package dev.cutover.loadgen;

/** Follows runs of consecutive failures, in completion order, and keeps the longest one. */
final class FailureRun {

    private long count;
    private long firstDispatchNanos;

    private long longestCount;
    private long longestStartNanos;
    private long longestEndNanos;

    void ok() {
        count = 0;
    }

    void failed(long dispatchNanos, long completedNanos) {
        // Concurrent requests complete out of dispatch order: the run began at its earliest dispatch.
        firstDispatchNanos = count == 0 ? dispatchNanos : Math.min(firstDispatchNanos, dispatchNanos);
        count++;
        if (count > longestCount) {
            longestCount = count;
            longestStartNanos = firstDispatchNanos;
            longestEndNanos = completedNanos;
        }
    }

    FailureWindow longest(long runStartNanos) {
        if (longestCount == 0) {
            return FailureWindow.NONE;
        }
        return new FailureWindow(longestCount,
                (longestEndNanos - longestStartNanos) / 1e6,
                (longestStartNanos - runStartNanos) / 1e6);
    }
}
