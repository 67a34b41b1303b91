package dev.cutover.proxy;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Idle keep-alive connections to targets, for one event loop (so no locks: a request and its
 * upstream connection always live on the same loop). The most recently used connection is
 * handed out first: it is the least likely to have been closed by the app meanwhile.
 */
final class UpstreamPool {

    private final Map<Target, ArrayDeque<UpstreamConnection>> idle = new HashMap<>();
    private final int maxPerTarget;
    private final long idleTimeoutNanos;

    UpstreamPool(int maxPerTarget, long idleTimeoutNanos) {
        this.maxPerTarget = maxPerTarget;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** A live idle connection to {@code target}, or null. */
    UpstreamConnection acquire(Target target) {
        ArrayDeque<UpstreamConnection> connections = idle.get(target);
        if (connections == null) {
            return null;
        }
        long now = System.nanoTime();
        UpstreamConnection connection;
        while ((connection = connections.pollLast()) != null) {
            if (connection.isReusable() && now - connection.idleSince() < idleTimeoutNanos) {
                return connection;
            }
            connection.close();
        }
        return null;
    }

    void release(UpstreamConnection connection) {
        if (!connection.isReusable()) {
            connection.close();
            return;
        }
        ArrayDeque<UpstreamConnection> connections = idle.computeIfAbsent(connection.target(), t -> new ArrayDeque<>());
        if (connections.size() >= maxPerTarget) {
            connection.close();
            return;
        }
        connection.parkIdle();
        connections.addLast(connection);
    }

    /** Closes every idle connection to {@code target}: after its drain nothing will reuse them. */
    void closeIdle(Target target) {
        ArrayDeque<UpstreamConnection> connections = idle.remove(target);
        if (connections != null) {
            connections.forEach(UpstreamConnection::close);
        }
    }

    void closeAll() {
        idle.values().forEach(connections -> connections.forEach(UpstreamConnection::close));
        idle.clear();
    }

    /** Closes connections idle for longer than the idle timeout, and forgets closed ones. */
    void sweep() {
        long now = System.nanoTime();
        Iterator<ArrayDeque<UpstreamConnection>> targets = idle.values().iterator();
        while (targets.hasNext()) {
            ArrayDeque<UpstreamConnection> connections = targets.next();
            connections.removeIf(c -> {
                boolean expired = !c.isReusable() || now - c.idleSince() >= idleTimeoutNanos;
                if (expired) {
                    c.close();
                }
                return expired;
            });
            if (connections.isEmpty()) {
                targets.remove();
            }
        }
    }
}
