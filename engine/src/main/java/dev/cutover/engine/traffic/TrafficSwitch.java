package dev.cutover.engine.traffic;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.Slot;

/**
 * The engine's one handle on traffic: the built-in proxy, or an nginx it drives. Route a service
 * to a slot, drain a slot that no longer receives traffic, read a slot's counters.
 */
public interface TrafficSwitch {

    /** Makes the service known (its hosts and path), with no route until {@link #route}. */
    void register(ServiceSpec service);

    /**
     * Sends every new request of the service to {@code slot} at {@code address}. Requests already
     * running elsewhere keep running there.
     */
    void route(String service, Slot slot, String version, InetSocketAddress address);

    /** Completes when the slot holds no request, or at {@code timeout} after ending what still runs. */
    CompletableFuture<DrainOutcome> drain(String service, Slot slot, Duration timeout);

    /** The slot's counters since it was last routed to; zero when it never was. */
    SlotCounters counters(String service, Slot slot);

    /** Which slot receives the service's traffic now, or null. */
    Slot activeSlot(String service);
}
