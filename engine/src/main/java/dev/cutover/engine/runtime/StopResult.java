package dev.cutover.engine.runtime;

import java.time.Duration;

/**
 * How a stop went.
 *
 * @param wasRunning false when it had already exited
 * @param killed     true when the grace period ran out and SIGKILL was needed
 * @param exitCode   its exit code when known, else null
 */
public record StopResult(boolean wasRunning, boolean killed, Duration took, Integer exitCode) {

    /** "stopped gracefully in 1.2 s", "killed after 20 s grace", "had already exited (code 3)". */
    public String describe() {
        if (!wasRunning) {
            return "had already exited" + (exitCode == null ? "" : " (code " + exitCode + ")");
        }
        String secs = String.format(java.util.Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
        return killed ? "did not stop within its grace period and was killed after " + secs
                : "stopped gracefully in " + secs;
    }
}
