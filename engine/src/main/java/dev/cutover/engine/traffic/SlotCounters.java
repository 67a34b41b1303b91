package dev.cutover.engine.traffic;

/** What a slot served: requests dispatched, responses and 5xx among them, in flight now. */
public record SlotCounters(long requests, long responses, long responses5xx, long inFlight) {

    public static final SlotCounters ZERO = new SlotCounters(0, 0, 0, 0);

    public SlotCounters since(SlotCounters earlier) {
        return new SlotCounters(requests - earlier.requests, responses - earlier.responses,
                responses5xx - earlier.responses5xx, inFlight);
    }
}
