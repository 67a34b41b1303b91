package dev.cutover.engine.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.cutover.engine.Slot;

/**
 * One release to start, placeholders already resolved.
 *
 * @param command argv, ready to exec
 * @param env     added to the daemon's environment
 * @param workdir where it runs (exists)
 * @param logDir  where its stdout/stderr files go (exists)
 */
public record LaunchSpec(String service, String version, Slot slot, int port, List<String> command,
                         Map<String, String> env, Path workdir, Path logDir) {

    public LaunchSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
    }
}
