package dev.cutover.engine;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.cutover.engine.health.HealthResult;
import dev.cutover.engine.runtime.AppStartException;
import dev.cutover.engine.runtime.PortCheck;
import dev.cutover.engine.runtime.RunningApp;
import dev.cutover.engine.runtime.StopResult;
import dev.cutover.engine.store.DeploymentRecord;
import dev.cutover.engine.store.ServiceState;

/**
 * What a daemon does when it starts: it trusts the disk. The active slot recorded for each service
 * is served again, by the very process an earlier daemon started when it still runs (pid and start
 * time match), or by the same release started again. Every other process recorded as ours is a
 * leftover of a deploy that never finished, and is stopped. Unfinished deploys are marked
 * interrupted, with what serves now.
 */
final class Recovery {

    private final EngineParts parts;
    private final Map<String, ServiceSpec> services;
    private final List<String> report = new ArrayList<>();

    Recovery(EngineParts parts, Map<String, ServiceSpec> services) {
        this.parts = parts;
        this.services = services;
    }

    List<String> run() {
        List<DeploymentRecord> unfinished = parts.store().unfinished();
        for (ServiceSpec spec : services.values()) {
            settle(spec);
        }
        for (DeploymentRecord d : unfinished) {
            String lastPhase = parts.store().events(d.id()).stream().reduce((a, b) -> b)
                    .map(e -> e.phase().toString()).orElse(DeployPhase.PREPARE.toString());
            String serving = parts.store().state(d.service()).map(s -> s.activeVersion() + " serves (" + s.activeSlot() + ")")
                    .orElse("nothing serves");
            String reason = "the daemon stopped during " + lastPhase + "; on restart " + serving;
            parts.store().finishDeployment(d.id(), DeployOutcome.INTERRUPTED, reason, parts.clock().instant());
            report.add("deploy #" + d.id() + " of " + d.service() + " " + d.version() + " was interrupted: " + reason);
        }
        return report;
    }

    private void settle(ServiceSpec spec) {
        Optional<ServiceState> state = parts.store().state(spec.name());
        RunningApp active = null;
        for (RunningApp recorded : parts.store().apps(spec.name())) {
            Optional<RunningApp> alive = parts.runtime().adopt(recorded);
            boolean isActive = state.isPresent() && recorded.slot() == state.get().activeSlot()
                    && recorded.version().equals(state.get().activeVersion());
            if (isActive && alive.isPresent()) {
                active = alive.get();
            } else {
                if (alive.isPresent()) {
                    StopResult stopped = parts.runtime().stop(alive.get(), spec.stopTimeout());
                    report.add(spec.name() + ": leftover " + recorded.version() + " (" + recorded.slot() + ", "
                            + parts.runtime().describe(recorded) + ") " + stopped.describe());
                }
                parts.store().removeApp(spec.name(), recorded.slot());
            }
        }
        if (state.isEmpty()) {
            return;
        }
        ServiceState serving = state.get();
        if (active != null) {
            // It served until the daemon went away: one good answer is enough to trust it again.
            HealthSpec once = new HealthSpec(spec.health().path(), spec.health().interval(), spec.health().timeout(),
                    spec.health().deadline(), 1, spec.health().expectStatus());
            HealthResult health = parts.health().await(once, active.port(), parts.runtime().onExit(active), attempt -> { });
            if (health.healthy()) {
                route(spec, serving);
                report.add(spec.name() + ": " + serving.activeVersion() + " (" + serving.activeSlot() + ", "
                        + parts.runtime().describe(active) + ") still runs and answers its health check; traffic routed to it again");
                return;
            }
            StopResult stopped = parts.runtime().stop(active, spec.stopTimeout());
            parts.store().removeApp(spec.name(), active.slot());
            report.add(spec.name() + ": " + serving.activeVersion() + " (" + parts.runtime().describe(active) + ") still ran but failed its "
                    + "health check (" + health.failure() + ") and " + stopped.describe() + "; starting it again");
        }
        restart(spec, serving);
    }

    /** The active release is not running (it crashed, or the machine rebooted): start it again. */
    private void restart(ServiceSpec spec, ServiceState serving) {
        String what = spec.name() + " " + serving.activeVersion() + " (" + serving.activeSlot() + ")";
        if (!PortCheck.isFree(spec.port(serving.activeSlot()))) {
            report.add(what + " is not running and port " + spec.port(serving.activeSlot()) + " is taken by "
                    + PortCheck.listener(spec.port(serving.activeSlot())).map(PortCheck::describe).orElse("another process")
                    + "; " + spec.name() + " answers 503 until that is resolved and it is deployed again");
            return;
        }
        try {
            // A container's image may have been removed meanwhile: pulled again, as a deploy would.
            parts.runtimeFor(spec).prepare(spec.name(), parts.store().release(spec.name(), serving.activeVersion())
                    .map(dev.cutover.engine.store.ReleaseRecord::image).orElse(null));
            RunningApp app = new ReleaseLauncher(parts).launch(spec, serving.activeVersion(), serving.activeSlot());
            HealthResult health = parts.health().await(spec.health(), app.port(), parts.runtime().onExit(app), attempt -> { });
            if (!health.healthy()) {
                parts.runtime().stop(app, spec.stopTimeout());
                parts.store().removeApp(spec.name(), app.slot());
                report.add(what + " was not running and did not become healthy when started again: " + health.failure()
                        + "; " + spec.name() + " answers 503 until the next deploy");
                return;
            }
            route(spec, serving);
            report.add(what + " was not running; started it again as " + parts.runtime().describe(app) + " and routed traffic to it");
        } catch (AppStartException e) {
            report.add(what + " was not running and could not be started again: " + e.getMessage()
                    + "; " + spec.name() + " answers 503 until the next deploy");
        }
    }

    private void route(ServiceSpec spec, ServiceState serving) {
        parts.traffic().route(spec.name(), serving.activeSlot(), serving.activeVersion(),
                new InetSocketAddress("127.0.0.1", spec.port(serving.activeSlot())));
    }

}
