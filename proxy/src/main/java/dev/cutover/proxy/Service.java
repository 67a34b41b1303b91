package dev.cutover.proxy;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A named service and its current route. The request path reads the route with one volatile
 * read and takes no lock; a switch is one atomic swap.
 */
public final class Service {

    private final String name;
    private final AtomicReference<Route> route = new AtomicReference<>(Route.NONE);

    public Service(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    public String name() {
        return name;
    }

    public Route route() {
        return route.get();
    }

    /** The target requests go to now, or null when the service has none. */
    public Target activeTarget() {
        return route.get().target();
    }

    /**
     * Sends every request dispatched from now on to {@code next} and returns the target that
     * served until now (null if none). Requests already on the previous target keep running
     * there; {@link Proxy#drain} waits for them.
     */
    public Target switchTo(Target next) {
        Objects.requireNonNull(next, "next");
        next.activate();
        Target previous = route.getAndSet(new Route(next)).target();
        if (previous != null && previous != next) {
            previous.deactivate();
        }
        return previous;
    }

    /** Stops routing: new requests get 503 until the next switch. Returns the target that served. */
    public Target clear() {
        Target previous = route.getAndSet(Route.NONE).target();
        if (previous != null) {
            previous.deactivate();
        }
        return previous;
    }

    @Override
    public String toString() {
        return name;
    }
}
