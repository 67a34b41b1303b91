package dev.cutover.engine;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cutover.engine.health.HealthResult;
import dev.cutover.engine.runtime.AppStartException;
import dev.cutover.engine.runtime.PortCheck;
import dev.cutover.engine.runtime.RunningApp;
import dev.cutover.engine.runtime.StopResult;
import dev.cutover.engine.store.ReleaseRecord;
import dev.cutover.engine.store.ServiceState;
import dev.cutover.engine.traffic.DrainOutcome;
import dev.cutover.engine.traffic.SlotCounters;
import dev.cutover.engine.traffic.TrafficSwitchException;

/**
 * One deploy of one service, as a state machine over {@link DeployPhase}: {@link #run()} moves from
 * phase to phase, and each phase is one method below, in order. Before {@link DeployPhase#SWITCH}
 * any failure stops the new release and leaves the old one serving, untouched; after it, a failed
 * verification switches back.
 */
final class Deployment {

    private static final Logger log = LoggerFactory.getLogger(Deployment.class);
    private static final int LOG_LINES_ON_FAILURE = 20;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

    private final EngineParts parts;
    private final ServiceSpec spec;
    private final DeployRequest request;
    private final Consumer<DeployEvent> listener;
    private final Instant startedAt;
    private final long startNanos = System.nanoTime();

    private volatile DeployPhase phase = DeployPhase.PREPARE;
    private long id;
    private Slot slot;                 // where the new release goes
    private ServiceState previous;     // what served before; null on a service's first deploy
    private RunningApp oldApp;         // the previous release's process, when we know it
    private RunningApp newApp;
    private DeployOutcome outcome;
    private String reason;
    private String finalNote = "";

    Deployment(EngineParts parts, ServiceSpec spec, DeployRequest request, Consumer<DeployEvent> listener) {
        this.parts = parts;
        this.spec = spec;
        this.request = request;
        this.listener = listener;
        this.startedAt = parts.clock().instant();
    }

    String version() {
        return request.version();
    }

    DeployPhase phase() {
        return phase;
    }

    Instant startedAt() {
        return startedAt;
    }

    /** Runs the deploy to its end and says how it ended. Never throws for a failed deploy. */
    DeployResult run() {
        while (phase != DeployPhase.DONE) {
            try {
                phase = switch (phase) {
                    case PREPARE -> prepare();
                    case START -> start();
                    case HEALTH_CHECK -> healthCheck();
                    case SWITCH -> switchTraffic();
                    case DRAIN -> drainOld();
                    case VERIFY -> verify();
                    case STOP_OLD -> stopOld();
                    case ROLLBACK -> rollBack();
                    case DONE -> DeployPhase.DONE;
                };
            } catch (DeployAborted e) {
                phase = settle(() -> abort(e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                phase = settle(() -> interrupted("the daemon is shutting down"));
            } catch (RuntimeException e) {
                log.error("deploy of {} {} failed in {}", spec.name(), request.version(), phase, e);
                phase = settle(() -> interrupted("an internal error in phase " + phase + ": " + e));
            }
        }
        return finish();
    }

    /** Runs a failure path; if that fails too, the deploy still ends, and the next daemon start settles the rest. */
    private DeployPhase settle(java.util.function.Supplier<DeployPhase> ending) {
        try {
            return ending.get();
        } catch (RuntimeException e) {
            log.error("deploy of {} {}: cleaning up after a failure failed too", spec.name(), request.version(), e);
            if (outcome == null) {
                outcome = phase.compareTo(DeployPhase.SWITCH) < 0 ? DeployOutcome.ABORTED : DeployOutcome.INTERRUPTED;
            }
            reason = (reason == null ? "" : reason + "; ") + "cleaning up failed too: " + e;
            return DeployPhase.DONE;
        }
    }

    // --- the phases, in order ---

    private DeployPhase prepare() throws DeployAborted {
        previous = parts.store().state(spec.name()).orElse(null);
        slot = previous == null ? Slot.BLUE : previous.activeSlot().other();
        oldApp = previous == null ? null : recordedApp(previous.activeSlot()).orElse(null);
        id = parts.store().beginDeployment(spec.name(), request.version(), request.kind(), slot,
                previous == null ? null : previous.activeVersion(), startedAt);
        emit(DeployPhase.PREPARE, (request.kind() == DeployKind.ROLLBACK ? "rolling back " : "deploying ")
                + spec.name() + " " + request.version() + " to " + slot + " (port " + port() + ")"
                + (previous == null ? "; first release of this service" : "; " + previous.activeVersion() + " serves on " + previous.activeSlot()));

        retainRelease();
        prepareRuntime();
        freeIdleSlot();
        return DeployPhase.START;
    }

    private DeployPhase start() throws DeployAborted {
        try {
            newApp = new ReleaseLauncher(parts).launch(spec, request.version(), slot);
        } catch (AppStartException e) {
            throw new DeployAborted(e.getMessage());
        }
        emit(DeployPhase.START, "started " + request.version() + " on " + slot + " as " + parts.runtime().describe(newApp)
                + " (log: " + parts.runtime().logName(newApp) + ")");
        return DeployPhase.HEALTH_CHECK;
    }

    private DeployPhase healthCheck() throws DeployAborted, InterruptedException {
        HealthSpec health = spec.health();
        emit(DeployPhase.HEALTH_CHECK, "waiting for GET " + health.path() + " on port " + port() + " to answer "
                + (health.expectStatus() == 0 ? "2xx" : health.expectStatus()) + " " + health.healthyThreshold()
                + " times in a row (every " + Durations.format(health.interval()) + ", up to "
                + Durations.format(health.deadline()) + ")");
        HealthResult result = parts.health().await(health, port(), parts.runtime().onExit(newApp),
                attempt -> progress(DeployPhase.HEALTH_CHECK, "attempt " + attempt.number() + "/" + attempt.maxAttempts()
                        + ": " + attempt.detail() + " (" + attempt.streak() + "/" + health.healthyThreshold() + " in a row)"));
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (!result.healthy()) {
            throw new DeployAborted(result.failure() + lastLogLines(newApp));
        }
        emit(DeployPhase.HEALTH_CHECK, request.version() + " is healthy after " + result.attempts() + " attempts ("
                + Durations.format(result.took()) + ")");
        return DeployPhase.SWITCH;
    }

    private DeployPhase switchTraffic() throws DeployAborted {
        try {
            parts.traffic().route(spec.name(), slot, request.version(), address(slot));
        } catch (TrafficSwitchException e) {
            // The switch refused (nginx -t failed, nginx not running): the old route holds, as before a switch.
            throw new DeployAborted(e.getMessage());
        }
        // Then the disk: a daemon that dies in between routes to the old release again on its next start,
        // and that release still runs (it is stopped only after the drain).
        parts.store().activate(spec.name(), slot, request.version(), id, parts.clock().instant());
        emit(DeployPhase.SWITCH, "traffic switched to " + request.version() + " (" + slot + ")"
                + (previous == null ? "" : "; " + previous.activeVersion() + " (" + previous.activeSlot()
                + ") gets no new requests"));
        if (previous == null && spec.verify().enabled()) {
            emit(DeployPhase.SWITCH, "no verification for a service's first release: there is nothing to go back to");
        }
        return previous == null ? succeed() : DeployPhase.DRAIN;
    }

    private DeployPhase drainOld() throws InterruptedException {
        // Stored, so a daemon killed mid-drain is later reported as interrupted in DRAIN, not in SWITCH.
        emit(DeployPhase.DRAIN, "draining " + previous.activeVersion() + " (" + previous.activeSlot() + "): up to "
                + Durations.format(spec.drainTimeout()) + " for the requests it still serves");
        DrainOutcome drained = drain(previous.activeSlot(), previous.activeVersion());
        emit(DeployPhase.DRAIN, drained.clean()
                ? previous.activeVersion() + " drained in " + Durations.format(drained.took())
                : "drain timeout (" + Durations.format(spec.drainTimeout()) + "): " + (drained.note() != null ? drained.note()
                  : drained.endedAtTimeout() + " requests still running on " + previous.activeVersion() + " were ended"));
        if (spec.verify().enabled() && oldApp == null) {
            emit(DeployPhase.DRAIN, "no verification: no process of " + previous.activeVersion()
                    + " is known to this daemon, so there is nothing to go back to");
        }
        return spec.verify().enabled() && oldApp != null ? DeployPhase.VERIFY : DeployPhase.STOP_OLD;
    }

    private DeployPhase verify() throws InterruptedException {
        VerifySpec verify = spec.verify();
        emit(DeployPhase.VERIFY, "verifying " + request.version() + " under real traffic for "
                + Durations.format(verify.window()) + " (rolls back above " + percent(verify.maxErrorRatio())
                + " 5xx once " + verify.minRequests() + " responses came back); " + previous.activeVersion()
                + " kept running meanwhile");
        long end = System.nanoTime() + verify.window().toNanos();
        long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        SlotCounters seen = SlotCounters.ZERO;
        while (System.nanoTime() - end < 0) {
            Thread.sleep(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
            seen = parts.traffic().counters(spec.name(), slot);
            if (verify.failedBy(seen.responses(), seen.responses5xx())) {
                reason = "verification failed: " + seen.responses5xx() + " of " + seen.responses() + " responses ("
                        + percent((double) seen.responses5xx() / seen.responses()) + ") were 5xx, above max_error_ratio "
                        + percent(verify.maxErrorRatio());
                return DeployPhase.ROLLBACK;
            }
            if (!parts.runtime().isAlive(newApp)) {
                reason = "verification failed: " + request.version() + " exited"
                        + parts.runtime().exitCode(newApp).map(c -> " with code " + c).orElse("") + lastLogLines(newApp);
                return DeployPhase.ROLLBACK;
            }
            if (System.nanoTime() - nextReport > 0) {
                nextReport += TimeUnit.SECONDS.toNanos(5);
                progress(DeployPhase.VERIFY, seen.responses() + " responses, " + seen.responses5xx() + " 5xx, "
                        + Durations.format(Duration.ofNanos(Math.max(0, end - System.nanoTime()))) + " left");
            }
        }
        emit(DeployPhase.VERIFY, request.version() + " verified: " + seen.responses() + " responses, "
                + seen.responses5xx() + " 5xx in " + Durations.format(verify.window())
                + (seen.responses() < verify.minRequests() ? " (fewer than min_requests " + verify.minRequests()
                   + ": too little traffic to judge, accepted)" : ""));
        return DeployPhase.STOP_OLD;
    }

    private DeployPhase stopOld() {
        if (oldApp != null) {
            StopResult stopped = parts.runtime().stop(oldApp, spec.stopTimeout());
            parts.store().removeApp(spec.name(), oldApp.slot());
            emit(DeployPhase.STOP_OLD, oldApp.version() + " (" + oldApp.slot() + ", " + parts.runtime().describe(oldApp) + ") "
                    + stopped.describe());
            finalNote = "; " + oldApp.version() + " " + stopped.describe();
        } else {
            emit(DeployPhase.STOP_OLD, "no process of " + previous.activeVersion() + " is known to this daemon; nothing to stop");
        }
        return succeed();
    }

    private DeployPhase rollBack() throws InterruptedException {
        Slot oldSlot = previous.activeSlot();
        if (!parts.runtime().isAlive(oldApp)) {
            // Nothing to go back to: keeping the new release is the lesser harm, and the operator must know.
            reason += "; " + oldApp.version() + " is no longer running, so there is nothing to roll back to: "
                    + (parts.runtime().isAlive(newApp) ? request.version() + " keeps serving"
                       : "nothing serves " + spec.name() + " now; deploy a working release");
            emit(DeployPhase.ROLLBACK, reason);
            outcome = DeployOutcome.FAILED;
            return DeployPhase.DONE;
        }
        parts.store().activate(spec.name(), oldSlot, previous.activeVersion(), id, parts.clock().instant());
        parts.traffic().route(spec.name(), oldSlot, previous.activeVersion(), address(oldSlot));
        emit(DeployPhase.ROLLBACK, reason + "; traffic switched back to " + previous.activeVersion() + " (" + oldSlot + ")");
        DrainOutcome drained = drain(slot, request.version());
        StopResult stopped = parts.runtime().stop(newApp, spec.stopTimeout());
        parts.store().removeApp(spec.name(), slot);
        emit(DeployPhase.ROLLBACK, request.version() + " drained in " + Durations.format(drained.took()) + " and "
                + stopped.describe());
        outcome = DeployOutcome.ROLLED_BACK;
        return DeployPhase.DONE;
    }

    // --- endings ---

    private DeployPhase succeed() {
        outcome = DeployOutcome.SUCCEEDED;
        return DeployPhase.DONE;
    }

    /** Before the switch: the new release goes, the old one never noticed. */
    private DeployPhase abort(String why) {
        reason = why;
        outcome = DeployOutcome.ABORTED;
        stopNewRelease();
        return DeployPhase.DONE;
    }

    /**
     * The deploy cannot go on (daemon stopping, internal error). Before the switch that is an abort;
     * after it, what the disk says serves keeps serving, and the next daemon start settles the rest.
     */
    private DeployPhase interrupted(String why) {
        if (id == 0 || phase.compareTo(DeployPhase.SWITCH) < 0) {
            return abort(why);
        }
        boolean unverified = spec.verify().enabled() && oldApp != null
                && (phase == DeployPhase.DRAIN || phase == DeployPhase.VERIFY);
        if (unverified && parts.runtime().isAlive(oldApp)) {
            // Verification was the condition for keeping the new release; without it, the old one serves.
            parts.store().activate(spec.name(), oldApp.slot(), oldApp.version(), id, parts.clock().instant());
            parts.traffic().route(spec.name(), oldApp.slot(), oldApp.version(), address(oldApp.slot()));
            reason = why + " before " + request.version() + " was verified; traffic went back to " + oldApp.version()
                    + " (" + oldApp.slot() + "), and the next start stops " + request.version();
        } else {
            reason = why + "; " + parts.store().state(spec.name()).map(s -> s.activeVersion() + " keeps serving").orElse("");
        }
        outcome = DeployOutcome.INTERRUPTED;
        return DeployPhase.DONE;
    }

    private void stopNewRelease() {
        if (newApp == null) {
            return;
        }
        StopResult stopped = parts.runtime().stop(newApp, spec.stopTimeout());
        parts.store().removeApp(spec.name(), slot);
        emitQuietly(DeployPhase.DONE, request.version() + " (" + parts.runtime().describe(newApp) + ") " + stopped.describe());
    }

    private DeployResult finish() {
        Instant now = parts.clock().instant();
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        String serving = servingVersion();
        if (id != 0) {
            try {
                parts.store().finishDeployment(id, outcome, reason, now);
            } catch (RuntimeException e) {
                // Left unfinished on disk; the next daemon start marks it interrupted.
                log.error("could not record the end of deploy {} of {}", id, spec.name(), e);
            }
        }
        if (outcome == DeployOutcome.SUCCEEDED) {
            pruneArtifacts();
        }
        emitQuietly(DeployPhase.DONE, switch (outcome) {
            case SUCCEEDED -> "deployed " + request.version() + " in " + Durations.format(took) + finalNote;
            // The reason is in the result (and the history); the last event only says how it ended.
            case ABORTED -> "aborted after " + Durations.format(took) + (serving == null ? "" : "; " + serving + " keeps serving");
            case ROLLED_BACK -> "rolled back to " + serving + " after " + Durations.format(took);
            case INTERRUPTED -> "interrupted after " + Durations.format(took);
            case FAILED -> "failed verification after " + Durations.format(took) + " with nothing to roll back to";
        });
        return new DeployResult(id, spec.name(), request.version(), outcome, reason, serving, took);
    }

    private String servingVersion() {
        try {
            return parts.store().state(spec.name()).map(ServiceState::activeVersion).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    // --- the parts of PREPARE ---

    /** Copies the artifact into the state dir, so a rollback never depends on the build machine. */
    private void retainRelease() throws DeployAborted {
        Optional<ReleaseRecord> known = parts.store().release(spec.name(), request.version());
        Path artifact = known.map(ReleaseRecord::artifact).orElse(null);
        if (request.artifact() != null) {
            try {
                artifact = parts.artifacts().retain(spec.name(), request.version(), request.artifact());
            } catch (IOException e) {
                throw new DeployAborted(e.getMessage());
            }
        } else if (artifact != null && !Files.isRegularFile(artifact)) {
            throw new DeployAborted("the retained artifact of " + request.version() + " (" + artifact
                    + ") is gone (older releases are pruned: keep_releases " + spec.keepReleases()
                    + "); deploy it again with --artifact");
        }
        if (artifact == null && Placeholders.uses(spec.command(), "ARTIFACT")) {
            throw new DeployAborted("the command of service " + spec.name() + " uses ${ARTIFACT} but no artifact was given "
                    + "for " + request.version() + "; pass --artifact PATH");
        }
        parts.store().saveRelease(new ReleaseRecord(spec.name(), request.version(), artifact, request.image(),
                known.map(ReleaseRecord::createdAt).orElse(startedAt)));
        if (request.artifact() != null) {
            emit(DeployPhase.PREPARE, "artifact retained as " + artifact);
        }
    }

    /** For a container: the Docker engine answers and the image is here (pulled if not). Nothing started yet. */
    private void prepareRuntime() throws DeployAborted {
        try {
            Optional<String> done = parts.runtimeFor(spec).prepare(spec.name(), request.image());
            if (done.isPresent()) {
                emit(DeployPhase.PREPARE, done.get());
            }
        } catch (AppStartException e) {
            throw new DeployAborted(e.getMessage());
        }
    }

    /** The idle slot must be free: a leftover of ours is stopped, anything else is the operator's call. */
    private void freeIdleSlot() throws DeployAborted {
        Optional<RunningApp> leftover = recordedApp(slot);
        if (leftover.isPresent()) {
            Optional<RunningApp> alive = parts.runtime().adopt(leftover.get());
            if (alive.isPresent()) {
                StopResult stopped = parts.runtime().stop(alive.get(), spec.stopTimeout());
                emit(DeployPhase.PREPARE, "a leftover " + leftover.get().version() + " (" + parts.runtime().describe(leftover.get())
                        + ") held " + slot + " and " + stopped.describe());
            }
            parts.store().removeApp(spec.name(), slot);
        }
        if (!PortCheck.isFree(port())) {
            String who = PortCheck.listener(port()).map(PortCheck::describe).orElse("a process this user cannot see");
            throw new DeployAborted("port " + port() + " (slot " + slot + " of service " + spec.name()
                    + ") is taken by another process (" + who + "); stop it, or change ports." + slot
                    + " of service " + spec.name() + " in cutover.yml");
        }
    }

    // --- small parts ---

    private DrainOutcome drain(Slot drained, String version) throws InterruptedException {
        CompletableFuture<DrainOutcome> done = parts.traffic().drain(spec.name(), drained, spec.drainTimeout());
        while (true) {
            try {
                return done.get(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillDraining) {
                progress(phase, "waiting for " + version + " (" + drained + "): "
                        + parts.traffic().counters(spec.name(), drained).inFlight() + " requests in flight");
            } catch (ExecutionException e) {
                throw new IllegalStateException("draining " + version + " failed: " + e.getCause(), e.getCause());
            }
        }
    }

    private Optional<RunningApp> recordedApp(Slot s) {
        return parts.store().apps(spec.name()).stream().filter(a -> a.slot() == s).findFirst();
    }

    private String lastLogLines(RunningApp app) {
        String tail = parts.runtime().logTail(app, LOG_LINES_ON_FAILURE).strip();
        String log = parts.runtime().logName(app);
        return tail.isEmpty() ? " (its log, " + log + ", is empty)"
                : "\nlast lines of " + log + ":\n" + tail.indent(2).stripTrailing();
    }

    private int port() {
        return spec.port(slot);
    }

    private static InetSocketAddress address(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private InetSocketAddress address(Slot s) {
        return address(spec.port(s));
    }

    private static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", ratio * 100);
    }

    /** A step of the deploy: told to the client and kept in the store's timeline. */
    private void emit(DeployPhase at, String message) {
        DeployEvent event = event(at, message);
        if (id != 0) {
            parts.store().appendEvent(event);
        }
        tell(event);
    }

    /** Progress within a step (a health attempt, an in-flight count): told, not stored, so the timeline stays readable. */
    private void progress(DeployPhase at, String message) {
        tell(event(at, message));
    }

    private DeployEvent event(DeployPhase at, String message) {
        return new DeployEvent(id, spec.name(), at, parts.clock().instant(),
                Duration.ofNanos(System.nanoTime() - startNanos), message);
    }

    private void tell(DeployEvent event) {
        try {
            listener.accept(event);
        } catch (RuntimeException e) {
            // A client that went away must not break the deploy it started.
            log.debug("deploy listener failed", e);
        }
    }

    private void emitQuietly(DeployPhase at, String message) {
        try {
            emit(at, message);
        } catch (RuntimeException e) {
            log.warn("could not record the end of deploy {} of {}: {}", id, spec.name(), e.toString());
        }
    }

    private void pruneArtifacts() {
        try {
            Set<String> running = new HashSet<>();
            running.add(request.version());
            if (previous != null) {
                running.add(previous.activeVersion()); // the default rollback target
            }
            var versions = parts.store().releases(spec.name()).stream().map(ReleaseRecord::version).toList();
            for (String pruned : parts.artifacts().prune(spec.name(), versions, spec.keepReleases(), running)) {
                parts.store().release(spec.name(), pruned).ifPresent(r -> parts.store().saveRelease(
                        new ReleaseRecord(r.service(), r.version(), null, r.image(), r.createdAt())));
            }
        } catch (IOException | RuntimeException e) {
            log.warn("could not prune old artifacts of {}: {}", spec.name(), e.toString());
        }
    }
}
