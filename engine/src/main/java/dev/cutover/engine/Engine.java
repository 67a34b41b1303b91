package dev.cutover.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import dev.cutover.engine.artifact.ArtifactStore;
import dev.cutover.engine.health.HealthCheck;
import dev.cutover.engine.runtime.AppRuntime;
import dev.cutover.engine.runtime.RunningApp;
import dev.cutover.engine.store.DeploymentRecord;
import dev.cutover.engine.store.ReleaseRecord;
import dev.cutover.engine.store.ServiceState;
import dev.cutover.engine.store.Store;
import dev.cutover.engine.traffic.SlotCounters;
import dev.cutover.engine.traffic.TrafficSwitch;

/**
 * The deploy engine: one per daemon. Deploys and rollbacks of one service run one at a time
 * (a second one is refused at once); different services deploy in parallel. Everything it does is
 * recorded in the store, so {@link #recover()} after a restart works from facts on disk.
 */
public final class Engine implements AutoCloseable {

    /** Versions name folders of retained artifacts and log files: nothing that could escape them. */
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final DateTimeFormatter CLOCK_TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final Map<String, ServiceSpec> services;
    private final EngineParts parts;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    public Engine(Map<String, ServiceSpec> services, AppRuntime runtime, TrafficSwitch traffic, Store store,
                  Path stateDir, Clock clock) {
        this.services = new LinkedHashMap<>(services);
        this.parts = new EngineParts(runtime, traffic, store, new ArtifactStore(stateDir.resolve("releases")),
                new HealthCheck(), stateDir, clock);
        this.services.values().forEach(traffic::register);
    }

    /**
     * Settles what an earlier daemon left: unfinished deploys are marked interrupted, each service's
     * active release is taken back (or started again) and routed to, leftovers are stopped.
     *
     * @return what was done, a line each, for the daemon's log
     */
    public List<String> recover() {
        return new Recovery(parts, services).run();
    }

    /**
     * Deploys a release and returns when the deploy has ended, successfully or not.
     *
     * @throws DeployRefusedException when it could not even begin (unknown service, another deploy runs)
     */
    public DeployResult deploy(DeployRequest request, Consumer<DeployEvent> listener) throws DeployRefusedException {
        ServiceSpec spec = spec(request.service());
        if (!VERSION.matcher(request.version()).matches()) {
            throw new DeployRefusedException(DeployRefusedException.Reason.INVALID, "version '" + request.version()
                    + "' cannot name a release: use 1 to 128 letters, digits, '.', '_' or '-', not starting with '.'"
                    + " (a git sha, v2, 1.4.0 or 2024-06-01_1 all work)");
        }
        if (stopping) {
            throw new DeployRefusedException(DeployRefusedException.Reason.BUSY,
                    "the cutover daemon is shutting down; deploy again once it is back");
        }
        request = withRuntimeInputs(spec, request);
        Deployment deployment = new Deployment(parts, spec, request, listener);
        Running mine = new Running(deployment, Thread.currentThread());
        Running other = running.putIfAbsent(spec.name(), mine);
        if (other != null) {
            Duration since = Duration.between(other.deployment.startedAt(), parts.clock().instant());
            throw new DeployRefusedException(DeployRefusedException.Reason.BUSY, "service " + spec.name() + " is already being deployed: "
                    + other.deployment.version() + " since " + CLOCK_TIME.format(other.deployment.startedAt())
                    + " (" + Durations.format(since) + " ago, now in " + other.deployment.phase()
                    + "); wait for it to finish (cutover status " + spec.name() + ")");
        }
        try {
            return deployment.run();
        } finally {
            running.remove(spec.name(), mine);
        }
    }

    /**
     * A process service takes an artifact (or nothing), a container service an image: the one that
     * does not fit is refused before anything happens. A container release deployed again without
     * --image reuses the image recorded for that version.
     */
    private DeployRequest withRuntimeInputs(ServiceSpec spec, DeployRequest request) throws DeployRefusedException {
        boolean docker = "docker".equals(spec.runtime());
        if (!docker && request.image() != null) {
            throw new DeployRefusedException(DeployRefusedException.Reason.INVALID, "service " + spec.name() + " runs as a "
                    + spec.runtime() + "; --image is for container services (runtime: docker): deploy it with --artifact, or none");
        }
        if (!docker) {
            return request;
        }
        if (request.artifact() != null) {
            throw new DeployRefusedException(DeployRefusedException.Reason.INVALID, "service " + spec.name() + " runs as a "
                    + "container (runtime: docker); --artifact is for process services: deploy it with --image REF");
        }
        if (request.image() != null) {
            if (request.image().isBlank() || request.image().chars().anyMatch(Character::isWhitespace)) {
                throw new DeployRefusedException(DeployRefusedException.Reason.INVALID, "'" + request.image()
                        + "' is not an image reference; give one like registry.example.com/" + spec.name() + ":v2");
            }
            return request;
        }
        String recorded = parts.store().release(spec.name(), request.version()).map(ReleaseRecord::image).orElse(null);
        if (recorded == null) {
            throw new DeployRefusedException(DeployRefusedException.Reason.INVALID, "service " + spec.name() + " runs as a "
                    + "container (runtime: docker) and " + request.version() + " has no image yet: deploy it with --image REF, "
                    + "e.g. --image registry.example.com/" + spec.name() + ":" + request.version());
        }
        return new DeployRequest(request.service(), request.version(), null, recorded, request.kind());
    }

    /**
     * Deploys an earlier release again, from its retained artifact, through the same health-gated
     * flow: {@code toVersion}, or by default the newest successful release other than the serving one.
     */
    public DeployResult rollback(String service, String toVersion, Consumer<DeployEvent> listener)
            throws DeployRefusedException {
        ServiceSpec spec = spec(service);
        String serving = parts.store().state(service).map(ServiceState::activeVersion).orElse(null);
        String target = toVersion;
        if (target == null) {
            target = parts.store().lastSucceeded(service, serving).map(DeploymentRecord::version)
                    .orElseThrow(() -> new DeployRefusedException(DeployRefusedException.Reason.INVALID, "service " + service + " has no earlier successful "
                            + "release to roll back to" + (serving == null ? "" : " (" + serving + " serves now)")));
        }
        Optional<ReleaseRecord> release = parts.store().release(service, target);
        if (release.isEmpty()) {
            throw new DeployRefusedException(DeployRefusedException.Reason.INVALID, "service " + service + " never had a release " + target
                    + "; known releases: " + knownReleases(service));
        }
        Path artifact = release.get().artifact();
        if (Placeholders.uses(spec.command(), "ARTIFACT") && (artifact == null || !Files.isRegularFile(artifact))) {
            throw new DeployRefusedException(DeployRefusedException.Reason.INVALID, "the artifact of " + service + " " + target + " is no longer retained "
                    + "(keep_releases: " + spec.keepReleases() + "); deploy it again with --artifact");
        }
        return deploy(new DeployRequest(service, target, null, release.get().image(), DeployKind.ROLLBACK), listener);
    }

    public List<ServiceStatus> status() {
        List<ServiceStatus> all = new ArrayList<>();
        for (String name : services.keySet()) {
            all.add(status(name));
        }
        return all;
    }

    public ServiceStatus status(String service) {
        ServiceSpec spec = services.get(service);
        if (spec == null) {
            throw new IllegalArgumentException(unknownService(service));
        }
        Optional<ServiceState> state = parts.store().state(service);
        List<RunningApp> apps = parts.store().apps(service);
        List<SlotStatus> slots = new ArrayList<>();
        for (Slot slot : Slot.values()) {
            Optional<RunningApp> app = apps.stream().filter(a -> a.slot() == slot).findFirst();
            boolean active = state.map(s -> s.activeSlot() == slot).orElse(false);
            SlotCounters counters = active || app.isPresent() ? parts.traffic().counters(service, slot) : SlotCounters.ZERO;
            slots.add(new SlotStatus(slot, spec.port(slot), app.map(RunningApp::version).orElse(null),
                    app.map(RunningApp::pid).orElse(null), app.map(parts.runtime()::isAlive).orElse(false), active, counters));
        }
        Running now = running.get(service);
        return new ServiceStatus(service, state.map(ServiceState::activeVersion).orElse(null),
                state.map(ServiceState::activeSlot).orElse(null), state.map(ServiceState::since).orElse(null),
                now == null ? null : now.deployment.version(), now == null ? null : now.deployment.phase(),
                now == null ? null : now.deployment.startedAt(), spec.verify(), slots);
    }

    public List<DeploymentRecord> history(String service, int limit) {
        requireKnown(service);
        return parts.store().history(service, limit);
    }

    public Optional<DeploymentRecord> deployment(long id) {
        return parts.store().deployment(id);
    }

    public List<DeployEvent> events(long deploymentId) {
        return parts.store().events(deploymentId);
    }

    public Map<String, ServiceSpec> services() {
        return Map.copyOf(services);
    }

    /**
     * Interrupts the deploys that run: before their switch they abort and stop the new release;
     * after it, what the disk says serves keeps serving. Waits up to {@code timeout} for them.
     */
    public void stop(Duration timeout) throws InterruptedException {
        stopping = true;
        running.values().forEach(r -> r.thread.interrupt());
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Running r : List.copyOf(running.values())) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            r.thread.join(left);
        }
    }

    /**
     * Stops every release process this engine knows of and forgets them. For the demo and for tests,
     * which must leave no process behind; {@code cutover serve} never does this (apps outlive it).
     */
    public List<String> stopAllApps() {
        List<String> stopped = new ArrayList<>();
        for (ServiceSpec spec : services.values()) {
            for (RunningApp app : parts.store().apps(spec.name())) {
                parts.runtime().adopt(app).ifPresent(alive -> stopped.add(spec.name() + " " + app.version() + " ("
                        + app.slot() + ", pid " + app.pid() + ") " + parts.runtime().stop(alive, spec.stopTimeout()).describe()));
                parts.store().removeApp(spec.name(), app.slot());
            }
        }
        return stopped;
    }

    /** Releases what the engine holds (the health checker's connections); the apps keep running. */
    @Override
    public void close() {
        parts.health().close();
    }

    private ServiceSpec spec(String service) throws DeployRefusedException {
        ServiceSpec spec = services.get(service);
        if (spec == null) {
            throw new DeployRefusedException(DeployRefusedException.Reason.UNKNOWN_SERVICE, unknownService(service));
        }
        return spec;
    }

    private void requireKnown(String service) {
        if (!services.containsKey(service)) {
            throw new IllegalArgumentException(unknownService(service));
        }
    }

    private String unknownService(String service) {
        return "no service named '" + service + "' in the config; known services: " + String.join(", ", services.keySet());
    }

    private String knownReleases(String service) {
        List<String> versions = parts.store().releases(service).stream().map(ReleaseRecord::version).toList();
        return versions.isEmpty() ? "none" : String.join(", ", versions);
    }

    private record Running(Deployment deployment, Thread thread) {
    }
}
