package dev.cutover.engine.runtime;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.cutover.engine.Slot;

/**
 * One release to start, placeholders already resolved.
 *
 * @param command argv, ready to exec; for a container, empty means the image's own command
 * @param env     added to the daemon's environment (for a container: its whole environment, with the image's)
 * @param workdir where it runs (exists); not used for a container
 * @param logDir  where its stdout/stderr files go (exists)
 * @param runtime the service's {@code runtime} in cutover.yml: {@code process} or {@code docker}
 * @param image   the container image to run, for the docker runtime; null otherwise
 */
public record LaunchSpec(String service, String version, Slot slot, int port, List<String> command,
                         Map<String, String> env, Path workdir, Path logDir, String runtime, String image) {

    public LaunchSpec {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        runtime = runtime == null ? "process" : runtime;
    }

    /** A release run as a local process. */
    public LaunchSpec(String service, String version, Slot slot, int port, List<String> command,
                      Map<String, String> env, Path workdir, Path logDir) {
        this(service, version, slot, port, command, env, workdir, logDir, "process", null);
    }
}
