package dev.cutover.sample;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests received whose response has not completed yet, and whether the server is draining them.
 * Each request is counted once when its head arrives and uncounted once, when its last byte is
 * written or its connection dies, whichever comes first.
 */
final class InFlightRequests {

    private final AtomicLong count = new AtomicLong();
    private volatile boolean draining;

    void begin() {
        count.incrementAndGet();
    }

    void end() {
        count.decrementAndGet();
    }

    long count() {
        return count.get();
    }

    /** From now on every response asks the client to close its connection, so no new work lands here. */
    void startDraining() {
        draining = true;
    }

    boolean draining() {
        return draining;
    }

    /**
     * Waits until nothing is in flight or the timeout passes; returns whether everything finished.
     * Polling is fine here: it runs once per shutdown, never on a request path.
     */
    boolean awaitNone(Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (count.get() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
        return true;
    }
}
