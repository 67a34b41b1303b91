package dev.cutover.engine;

import dev.cutover.engine.traffic.SlotCounters;

/**
 * One slot of a service as it is now.
 *
 * @param version  the release running there, or null when the slot is empty
 * @param pid      its process, or null
 * @param counters what it served since it last began to serve
 */
public record SlotStatus(Slot slot, int port, String version, Long pid, boolean alive, boolean active,
                         SlotCounters counters) {
}
