package dev.cutover.engine.runtime;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The engine's one runtime, made of one per kind: a launch goes to the runtime its service names
 * in cutover.yml ({@code runtime: docker}), and a running app to the one that started it (a
 * container has an id, a process has not). So an app recorded before a service changed its
 * runtime is still stopped by the runtime that knows it.
 */
public final class ServiceRuntimes implements AppRuntime {

    private final Map<String, AppRuntime> byName;

    /** @param byName runtimes by their name in cutover.yml: "process", "docker" */
    public ServiceRuntimes(Map<String, AppRuntime> byName) {
        if (!byName.containsKey("process")) {
            throw new IllegalArgumentException("a process runtime is always needed");
        }
        this.byName = Map.copyOf(byName);
    }

    /** The runtime of a service, or an error naming what is missing. */
    public AppRuntime named(String runtime, String service) throws AppStartException {
        AppRuntime found = byName.get(runtime);
        if (found == null) {
            throw new AppStartException("service " + service + " has runtime: " + runtime + ", which this daemon was not "
                    + "started with (it knows " + String.join(", ", new java.util.TreeSet<>(byName.keySet())) + ")");
        }
        return found;
    }

    private AppRuntime of(RunningApp app) {
        AppRuntime found = byName.get(app.inContainer() ? "docker" : "process");
        if (found == null) {
            throw new IllegalStateException(app.service() + " " + app.version() + " runs in container " + app.containerId()
                    + " but this daemon has no docker runtime");
        }
        return found;
    }

    @Override
    public RunningApp start(LaunchSpec launch) throws AppStartException {
        return named(launch.runtime(), launch.service()).start(launch);
    }

    /** A service's preparation belongs to its own runtime: pick it with {@link #named} first. */
    @Override
    public Optional<String> prepare(String service, String image) {
        throw new IllegalStateException("prepare " + service + " through named(runtime, service)");
    }

    @Override
    public StopResult stop(RunningApp app, Duration grace) {
        return of(app).stop(app, grace);
    }

    @Override
    public boolean isAlive(RunningApp app) {
        return of(app).isAlive(app);
    }

    @Override
    public Optional<Integer> exitCode(RunningApp app) {
        return of(app).exitCode(app);
    }

    @Override
    public CompletableFuture<Integer> onExit(RunningApp app) {
        return of(app).onExit(app);
    }

    @Override
    public String logTail(RunningApp app, int lines) {
        return of(app).logTail(app, lines);
    }

    @Override
    public String describe(RunningApp app) {
        return of(app).describe(app);
    }

    @Override
    public String logName(RunningApp app) {
        return of(app).logName(app);
    }

    @Override
    public Optional<RunningApp> adopt(RunningApp recorded) {
        AppRuntime runtime = byName.get(recorded.inContainer() ? "docker" : "process");
        return runtime == null ? Optional.empty() : runtime.adopt(recorded);
    }
}
