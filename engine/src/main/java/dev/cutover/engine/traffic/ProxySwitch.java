package dev.cutover.engine.traffic;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.Slot;
import dev.cutover.proxy.Proxy;
import dev.cutover.proxy.RoutingTable;
import dev.cutover.proxy.Service;
import dev.cutover.proxy.Target;
import dev.cutover.proxy.TargetStats;

/**
 * The built-in traffic switch: cutover's own proxy. A route is one atomic swap of the service's
 * target; each routing makes a fresh {@link Target}, so a slot's counters start at zero every time
 * it begins to serve, which is what verification wants to read.
 */
public final class ProxySwitch implements TrafficSwitch {

    private final Proxy proxy;
    private final Map<String, Service> services = new ConcurrentHashMap<>();
    private final Map<String, ServiceSpec> specs = new ConcurrentHashMap<>();
    private final Map<SlotKey, Target> targets = new ConcurrentHashMap<>();

    public ProxySwitch(Proxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public synchronized void register(ServiceSpec spec) {
        services.computeIfAbsent(spec.name(), Service::new);
        specs.put(spec.name(), spec);
        RoutingTable.Builder table = RoutingTable.builder();
        specs.values().forEach(s -> table.route(services.get(s.name()), s.hosts(), List.of(s.pathPrefix())));
        proxy.routes(table.build());
    }

    @Override
    public void route(String service, Slot slot, String version, InetSocketAddress address) {
        Target target = new Target(service + "/" + slot + " " + version, address);
        targets.put(new SlotKey(service, slot), target);
        service(service).switchTo(target);
    }

    @Override
    public CompletableFuture<DrainOutcome> drain(String service, Slot slot, Duration timeout) {
        Target target = targets.get(new SlotKey(service, slot));
        if (target == null || target.isActive()) {
            // Never served, or serves again (a rollback switched back to it): nothing to wait for.
            return CompletableFuture.completedFuture(new DrainOutcome(Duration.ZERO, 0));
        }
        return proxy.drain(target, timeout).thenApply(r -> new DrainOutcome(r.elapsed(), r.endedAtTimeout()));
    }

    @Override
    public SlotCounters counters(String service, Slot slot) {
        Target target = targets.get(new SlotKey(service, slot));
        if (target == null) {
            return SlotCounters.ZERO;
        }
        TargetStats stats = target.stats();
        return new SlotCounters(stats.requests() - stats.retriedAway(), stats.responses(), stats.responses5xx(),
                stats.inFlight());
    }

    @Override
    public Slot activeSlot(String service) {
        Service s = services.get(service);
        Target active = s == null ? null : s.activeTarget();
        if (active == null) {
            return null;
        }
        for (Map.Entry<SlotKey, Target> e : targets.entrySet()) {
            if (e.getValue() == active) {
                return e.getKey().slot();
            }
        }
        return null;
    }

    private Service service(String name) {
        Service service = services.get(name);
        if (service == null) {
            throw new IllegalStateException("service " + name + " was never registered with the proxy");
        }
        return service;
    }

    private record SlotKey(String service, Slot slot) {
    }
}
