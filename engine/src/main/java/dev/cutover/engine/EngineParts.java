package dev.cutover.engine;

import java.nio.file.Path;
import java.time.Clock;

import dev.cutover.engine.artifact.ArtifactStore;
import dev.cutover.engine.health.HealthCheck;
import dev.cutover.engine.runtime.AppRuntime;
import dev.cutover.engine.runtime.AppStartException;
import dev.cutover.engine.runtime.ServiceRuntimes;
import dev.cutover.engine.store.Store;
import dev.cutover.engine.traffic.TrafficSwitch;

/**
 * What every deployment works with: how releases run, where traffic goes, what is remembered.
 *
 * @param stateDir apps' default working folders and logs live under it
 */
record EngineParts(AppRuntime runtime, TrafficSwitch traffic, Store store, ArtifactStore artifacts,
                   HealthCheck health, Path stateDir, Clock clock) {

    /**
     * The runtime that starts a service's releases: its {@code runtime} of cutover.yml. (Running apps
     * go through {@link #runtime()}, which hands each to the runtime that started it.)
     */
    AppRuntime runtimeFor(ServiceSpec spec) throws AppStartException {
        if (runtime instanceof ServiceRuntimes kinds) {
            return kinds.named(spec.runtime(), spec.name());
        }
        if (!"process".equals(spec.runtime())) {
            throw new AppStartException("service " + spec.name() + " has runtime: " + spec.runtime()
                    + ", which this daemon was not started with (it knows process)");
        }
        return runtime;
    }

    Path logDir(String service) {
        return stateDir.resolve("logs").resolve(service);
    }

    Path workdir(ServiceSpec spec) {
        return spec.workdir() != null ? spec.workdir() : stateDir.resolve("apps").resolve(spec.name());
    }
}
