package dev.cutover.sample;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which requests get a deliberate 500. Every round(1/ratio)-th request fails, counted across
 * all connections, so a test that sends 100 requests at ratio 0.5 sees exactly 50 errors, every run.
 */
final class ErrorInjection {

    private final long period; // 0 means never fail
    private final AtomicLong requests = new AtomicLong();

    ErrorInjection(double ratio) {
        this.period = ratio <= 0 ? 0 : Math.max(1, Math.round(1 / ratio));
    }

    /** Counts one request and says whether it must fail. */
    boolean nextFails() {
        return period != 0 && requests.incrementAndGet() % period == 0;
    }
}
