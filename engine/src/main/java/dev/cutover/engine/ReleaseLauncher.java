package dev.cutover.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import dev.cutover.engine.runtime.AppStartException;
import dev.cutover.engine.runtime.LaunchSpec;
import dev.cutover.engine.runtime.RunningApp;
import dev.cutover.engine.store.ReleaseRecord;

/** Starts a recorded release in a slot and remembers its process, for deploys and for recovery alike. */
final class ReleaseLauncher {

    private final EngineParts parts;

    ReleaseLauncher(EngineParts parts) {
        this.parts = parts;
    }

    RunningApp launch(ServiceSpec spec, String version, Slot slot) throws AppStartException {
        Path workdir = parts.workdir(spec);
        Path logDir = parts.logDir(spec.name());
        try {
            Files.createDirectories(workdir);
            Files.createDirectories(logDir);
        } catch (IOException e) {
            throw new AppStartException("cannot create " + workdir + " or " + logDir + " for service " + spec.name()
                    + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("PORT", Integer.toString(spec.port(slot)));
        values.put("VERSION", version);
        values.put("SLOT", slot.label());
        Optional<ReleaseRecord> release = parts.store().release(spec.name(), version);
        values.put("ARTIFACT", release.map(ReleaseRecord::artifact).map(Path::toString).orElse(""));
        LaunchSpec launch = new LaunchSpec(spec.name(), version, slot, spec.port(slot),
                Placeholders.resolve(spec.command(), values), spec.env(), workdir, logDir, spec.runtime(),
                release.map(ReleaseRecord::image).orElse(null));
        RunningApp app = parts.runtimeFor(spec).start(launch);
        parts.store().saveApp(app);
        return app;
    }
}
