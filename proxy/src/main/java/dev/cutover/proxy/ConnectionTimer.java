package dev.cutover.proxy;

import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One deadline per connection, moved cheaply: arming only writes a field, and a single scheduled
 * task (re)checks the deadline when it fires. A request costs a clock read, not a timer
 * insertion and cancellation. Used from the connection's event loop only.
 */
final class ConnectionTimer implements Runnable {

    private final EventLoop loop;
    private final Runnable onExpiry;
    private long deadline;          // System.nanoTime() value; 0 when disarmed
    private long scheduledFor;
    private ScheduledFuture<?> scheduled;

    ConnectionTimer(EventLoop loop, Runnable onExpiry) {
        this.loop = loop;
        this.onExpiry = onExpiry;
    }

    void arm(long timeoutNanos) {
        long now = System.nanoTime();
        deadline = now + timeoutNanos;
        if (deadline == 0) {
            deadline = 1;
        }
        if (scheduled == null) {
            schedule(now);
        } else if (scheduledFor - deadline > 0) { // the task would fire too late for this deadline
            scheduled.cancel(false);
            schedule(now);
        }
    }

    void disarm() {
        deadline = 0;
    }

    /** Disarms and drops the scheduled task: the connection is gone. */
    void stop() {
        deadline = 0;
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
    }

    @Override
    public void run() {
        scheduled = null;
        if (deadline == 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - deadline >= 0) {
            deadline = 0;
            onExpiry.run();
        } else {
            schedule(now);
        }
    }

    private void schedule(long now) {
        scheduledFor = deadline;
        scheduled = loop.schedule(this, Math.max(0, deadline - now), TimeUnit.NANOSECONDS);
    }
}
