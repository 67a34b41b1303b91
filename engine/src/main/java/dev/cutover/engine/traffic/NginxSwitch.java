package dev.cutover.engine.traffic;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.Slot;

/**
 * Drives an nginx the operator keeps in front (TLS, other sites). Each service has an include file
 * cutover owns ({@link UpstreamFile}); a route rewrites it atomically, checks the whole config with
 * {@code nginx -t} (putting the old file back, and quoting nginx, when it fails), reloads, and returns
 * only once new workers run under the master and every old worker has stopped taking connections:
 * nginx's reload is asynchronous, and new workers exist only when the master accepted the new
 * configuration; an old worker marks itself {@code is shutting down} as it closes its listeners. A drain ends when every worker from before that
 * reload has exited, which nginx lets happen only after they finished their requests (or at the
 * operator's {@code worker_shutdown_timeout}). Counters come from an access log in cutover's format.
 */
public final class NginxSwitch implements TrafficSwitch {

    private static final Logger log = LoggerFactory.getLogger(NginxSwitch.class);
    private static final long POLL_MS = 5;

    private final NginxSettings settings;
    private final AccessLogCounters accessLog;
    private final Map<String, ServiceSpec> specs = new ConcurrentHashMap<>();
    private final Map<String, LastRoute> routes = new ConcurrentHashMap<>();
    private final Object reloads = new Object(); // one nginx: one reload at a time, whatever the service

    public NginxSwitch(NginxSettings settings) {
        this.settings = settings;
        this.accessLog = settings.accessLog() == null ? null : new AccessLogCounters(settings.accessLog());
    }

    /** Also writes a placeholder upstream file when there is none yet, so nginx.conf can include it before the first deploy. */
    @Override
    public void register(ServiceSpec spec) {
        specs.put(spec.name(), spec);
        UpstreamFile file = UpstreamFile.of(settings.upstreamDir(), spec.name());
        try {
            if (file.read().isEmpty()) {
                file.write(UpstreamFile.render(spec.name(), "no release deployed yet", local(spec.port(Slot.BLUE)), true,
                        settings.keepalive()));
            }
        } catch (TrafficSwitchException e) {
            // Not fatal at start: the first deploy says it again, and stops there.
            log.warn("{}", e.getMessage());
        }
    }

    @Override
    public void route(String service, Slot slot, String version, InetSocketAddress address) {
        ServiceSpec spec = specs.get(service);
        if (spec == null) {
            throw new IllegalStateException("service " + service + " was never registered with the nginx switch");
        }
        UpstreamFile file = UpstreamFile.of(settings.upstreamDir(), service);
        synchronized (reloads) {
            NginxMaster master = NginxMaster.find(settings.pidFile());
            Optional<String> earlier = file.read();
            String previous = earlier.flatMap(t -> file.port()).map(p -> "127.0.0.1:" + p).orElse("no release");
            Set<ProcessHandle> before = master.workers();
            file.write(UpstreamFile.render(service, version + " (" + slot + ")", address, false, settings.keepalive()));
            try {
                NginxCommand test = NginxCommand.run(settings.nginx("-t"), settings.reloadTimeout());
                if (!test.succeeded()) {
                    throw new TrafficSwitchException("nginx refused the configuration with " + service + " routed to "
                            + version + " (" + file.path() + "): '" + test.commandLine() + "' exited with "
                            + test.exitCode() + test.quotedOutput() + "\nthe upstream file was put back and nginx was"
                            + " not reloaded, so " + previous + " keeps serving; fix nginx.conf and deploy again");
                }
                if (accessLog != null) {
                    accessLog.reset(address(address));
                }
                NginxCommand reload = NginxCommand.run(settings.reload(), settings.reloadTimeout());
                if (!reload.succeeded()) {
                    throw new TrafficSwitchException("reloading nginx failed: '" + reload.commandLine() + "' exited with "
                            + reload.exitCode() + reload.quotedOutput() + "\nthe upstream file " + file.path()
                            + " was put back; " + previous + " keeps serving");
                }
                awaitNewWorkers(master, before, file, previous);
            } catch (TrafficSwitchException e) {
                file.restore(earlier);
                throw e;
            }
            routes.put(service, new LastRoute(slot, address, before));
        }
    }

    @Override
    public CompletableFuture<DrainOutcome> drain(String service, Slot slot, Duration timeout) {
        LastRoute route = routes.get(service);
        if (route == null || route.slot() == slot) {
            // Never routed away from it by us, or serves again (a rollback switched back to it).
            return CompletableFuture.completedFuture(new DrainOutcome(Duration.ZERO, 0));
        }
        CompletableFuture<DrainOutcome> done = new CompletableFuture<>();
        Thread.ofVirtual().name("nginx-drain-" + service).start(() -> {
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            try {
                while (true) {
                    List<ProcessHandle> left = NginxMaster.stillRunning(route.workersBefore());
                    Duration took = Duration.ofNanos(System.nanoTime() - start);
                    if (left.isEmpty()) {
                        done.complete(new DrainOutcome(took, 0));
                        return;
                    }
                    if (System.nanoTime() - deadline > 0) {
                        String note = "nginx workers from before the reload still run after " + timeout.toSeconds()
                                + " s (pids " + NginxMaster.pids(left) + "); requests they still send to " + slot
                                + " fail once it stops. Set worker_shutdown_timeout in nginx.conf to bound them, or"
                                + " raise drain_timeout";
                        log.warn("{}: {}", service, note);
                        done.complete(new DrainOutcome(took, left.size(), note));
                        return;
                    }
                    TimeUnit.MILLISECONDS.sleep(POLL_MS);
                }
            } catch (InterruptedException e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** Responses logged for the slot since it was last routed to; zero without nginx.access_log. In flight is not known. */
    @Override
    public SlotCounters counters(String service, Slot slot) {
        ServiceSpec spec = specs.get(service);
        if (accessLog == null || spec == null) {
            return SlotCounters.ZERO;
        }
        long[] c = accessLog.counts(address(local(spec.port(slot))));
        return new SlotCounters(c[0], c[0], c[1], 0);
    }

    /** What the upstream file cutover wrote routes to. */
    @Override
    public Slot activeSlot(String service) {
        ServiceSpec spec = specs.get(service);
        if (spec == null) {
            return null;
        }
        Optional<Integer> port = UpstreamFile.of(settings.upstreamDir(), service).port();
        for (Slot slot : Slot.values()) {
            if (port.isPresent() && port.get() == spec.port(slot)) {
                return slot;
            }
        }
        return null;
    }

    /** Until a worker that was not there before runs under the master: the master accepted the new configuration. */
    private void awaitNewWorkers(NginxMaster master, Set<ProcessHandle> before, UpstreamFile file, String previous) {
        long deadline = System.nanoTime() + settings.reloadTimeout().toNanos();
        while (true) {
            if (!master.isAlive()) {
                throw new TrafficSwitchException("the nginx master (pid " + master.pid() + ") exited during the reload;"
                        + " see nginx's error log, start nginx again, then deploy again");
            }
            if (master.workers().stream().anyMatch(w -> !before.contains(w))
                    && before.stream().noneMatch(NginxMaster::acceptsConnections)) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TrafficSwitchException("nginx (master pid " + master.pid() + ") did not replace its workers within "
                        + settings.reloadTimeout().toMillis() + " ms of the reload, so the new upstream did not take"
                        + " effect (a master that cannot apply a configuration keeps the old one and says why in its"
                        + " error log); the upstream file " + file.path() + " was put back and " + previous
                        + " keeps serving");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TrafficSwitchException("interrupted while waiting for nginx to reload");
            }
        }
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** As nginx logs {@code $upstream_addr}. */
    private static String address(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    /** The last route of a service: where it went, and the workers that served before it. */
    private record LastRoute(Slot slot, InetSocketAddress address, Set<ProcessHandle> workersBefore) {
    }
}
