package dev.cutover.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting on a condition with a deadline, instead of sleeping and hoping. */
public final class Eventually {

    private Eventually() {
    }

    /** Polls every 10 ms until {@code condition} holds; fails with {@code what} at the deadline. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            pause(10);
        }
    }

    /** Like {@link #await}, and the failure message shows the last value seen. */
    public static <T> T await(String what, Duration timeout, Supplier<T> value, java.util.function.Predicate<T> accept) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = value.get();
        while (!accept.test(last)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what + " (last seen: " + last + ")");
            }
            pause(10);
            last = value.get();
        }
        return last;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
