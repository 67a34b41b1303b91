package dev.cutover.engine.traffic;

import java.time.Duration;

/**
 * @param endedAtTimeout requests still running at the drain timeout, and ended by it; 0 for a clean drain
 */
public record DrainOutcome(Duration took, long endedAtTimeout) {

    public boolean clean() {
        return endedAtTimeout == 0;
    }
}
