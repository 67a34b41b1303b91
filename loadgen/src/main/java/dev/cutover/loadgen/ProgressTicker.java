package dev.cutover.loadgen;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands a progress snapshot to a consumer at a fixed interval. On a thread of its own, so a terminal
 * that prints slowly slows the view, never the load.
 */
final class ProgressTicker implements AutoCloseable {

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
        final Thread t = new Thread(task, "cutover-loadgen-progress");
        t.setDaemon(true);
        return t;
    });
    private long lastNanos;
    private long lastTotal;

    ProgressTicker(OutcomeTally tally, long startNanos, Duration interval, Consumer<ProgressSnapshot> consumer,
                   Consumer<Throwable> onConsumerFailure) {
        this.lastNanos = startNanos;
        final long period = interval.toNanos();
        thread.scheduleAtFixedRate(() -> {
            final long now = System.nanoTime();
            final ProgressSnapshot snapshot = tally.progress(now, lastTotal, now - lastNanos);
            lastNanos = now;
            lastTotal = snapshot.total();
            try {
                consumer.accept(snapshot);
            } catch (RuntimeException | Error e) {
                // A periodic task that throws is silently never run again: keep ticking, report it later.
                onConsumerFailure.accept(e);
            }
        }, period, period, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
