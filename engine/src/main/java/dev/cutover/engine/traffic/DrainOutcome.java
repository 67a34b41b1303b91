package dev.cutover.engine.traffic;

import java.time.Duration;

/**
 * @param endedAtTimeout requests still running at the drain timeout, and ended by it; 0 for a clean drain
 * @param note           what the traffic switch says about an unclean drain in its own terms (nginx: which
 *                       old workers still run), or null to let the count speak
 */
public record DrainOutcome(Duration took, long endedAtTimeout, String note) {

    public DrainOutcome(Duration took, long endedAtTimeout) {
        this(took, endedAtTimeout, null);
    }

    public boolean clean() {
        return endedAtTimeout == 0;
    }
}
