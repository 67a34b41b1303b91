package dev.cutover.proxy;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.AtomicHistogram;

/**
 * One upstream (a version of a service listening on an address) and exact accounting of the
 * requests it holds.
 *
 * <p>In-flight accounting follows one rule: {@link #enter()} at dispatch, {@link #exit()} exactly
 * once when the exchange ends. While a target is not active, the moment its count reaches zero
 * completes {@link #idle()}: that is what a drain waits for, instead of a sleep.
 *
 * <p>Enter increments first and checks the state second; deactivation sets the state first and
 * checks the count second. Whatever the interleaving, either the drain sees the request, or the
 * request sees the drain and goes to the current route instead. No request slips onto a target
 * whose drain has already finished.
 */
public final class Target {

    private static final long MAX_TRACKED_MICROS = TimeUnit.HOURS.toMicros(1);

    private final String name;
    private final InetSocketAddress address;

    private final AtomicLong inFlight = new AtomicLong();
    private final LongAdder requests = new LongAdder();
    private final LongAdder retriedAway = new LongAdder();
    private final LongAdder[] responsesByClass = {
            new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};
    private final AtomicHistogram latencyMicros = new AtomicHistogram(MAX_TRACKED_MICROS, 2);

    private volatile boolean active;
    private volatile CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);

    public Target(String name, InetSocketAddress address) {
        this.name = Objects.requireNonNull(name, "name");
        this.address = Objects.requireNonNull(address, "address");
    }

    public static Target of(String name, String host, int port) {
        return new Target(name, new InetSocketAddress(host, port));
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    public boolean isActive() {
        return active;
    }

    public long inFlight() {
        return inFlight.get();
    }

    /**
     * Completes when the target is not active and holds no request. Observed by drains; replaced
     * each time the target is deactivated.
     */
    public CompletableFuture<Void> idle() {
        return idle;
    }

    public TargetStats stats() {
        return new TargetStats(name, requests.sum(), inFlight.get(), retriedAway.sum(),
                responsesByClass[0].sum(), responsesByClass[1].sum(), responsesByClass[2].sum(),
                responsesByClass[3].sum(), responsesByClass[4].sum(),
                LatencySummary.of(latencyMicros));
    }

    @Override
    public String toString() {
        return name + " (" + address.getHostString() + ":" + address.getPort() + ")";
    }

    // --- called by Service when routes change ---

    void activate() {
        active = true;
        // A drain that was still waiting is moot now: the target serves again.
        idle.complete(null);
    }

    void deactivate() {
        idle = new CompletableFuture<>();
        active = false;
        if (inFlight.get() == 0) {
            idle.complete(null);
        }
    }

    // --- called on the request path ---

    /** Counts a request in; false (and nothing counted) when the target stopped being active meanwhile. */
    boolean enter() {
        inFlight.incrementAndGet();
        if (!active) {
            exit();
            return false;
        }
        requests.increment();
        return true;
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0 && !active) {
            idle.complete(null);
        }
    }

    void recordResponse(int status, long latencyNanos) {
        int statusClass = status / 100;
        if (statusClass >= 1 && statusClass <= 5) {
            responsesByClass[statusClass - 1].increment();
        }
        latencyMicros.recordValue(Math.min(MAX_TRACKED_MICROS, Math.max(0, latencyNanos / 1000)));
    }

    /** A request that left this target before a byte reached it, for the current route. */
    void recordRetriedAway() {
        retriedAway.increment();
    }
}
