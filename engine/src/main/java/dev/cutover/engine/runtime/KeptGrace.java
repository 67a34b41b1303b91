package dev.cutover.engine.runtime;

import java.util.function.Supplier;

/**
 * A stop is bounded by its grace, and the grace is a promise to the app: an interrupt (the daemon
 * shutting down) must not turn SIGTERM into an immediate SIGKILL. The interrupt is kept for after.
 */
final class KeptGrace {

    private KeptGrace() {
    }

    static StopResult stop(Supplier<StopResult> gracefulStop) {
        final boolean interrupted = Thread.interrupted();
        try {
            return gracefulStop.get();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
