package dev.cutover.engine.health;

import java.time.Duration;

/**
 * How a health check ended.
 *
 * @param attempts tries made
 * @param failure  a sentence for the operator; null when healthy
 * @param exitCode set when the process died while we waited: its exit code, -1 when unknown
 */
public record HealthResult(boolean healthy, int attempts, Duration took, String failure, Integer exitCode) {

    static HealthResult healthy(int attempts, Duration took) {
        return new HealthResult(true, attempts, took, null, null);
    }

    static HealthResult failed(int attempts, Duration took, String failure) {
        return new HealthResult(false, attempts, took, failure, null);
    }

    static HealthResult died(int attempts, Duration took, int exitCode) {
        final String how = exitCode < 0 ? "exited (exit code unknown)" : "exited with code " + exitCode;
        return new HealthResult(false, attempts, took, how + " while waiting to become healthy", exitCode);
    }
}
