package dev.cutover.engine.runtime;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the file that exec would run for argv[0], the way execvp does: a name with a slash is a
 * path (relative to the working directory), a bare name is searched on PATH. We check up front
 * because with {@code setsid} in front a missing command only shows as setsid exiting 127.
 */
final class ExecutableLookup {

    /** execvp's search path when PATH is unset. */
    static final String DEFAULT_PATH = "/bin:/usr/bin";

    private ExecutableLookup() {
    }

    /** The executable file, or empty when there is none (missing, a directory, or not executable). */
    static Optional<Path> find(String command, String path, Path workdir) {
        if (command.isEmpty()) {
            return Optional.empty();
        }
        if (command.contains("/")) {
            return executable(workdir.resolve(command));
        }
        for (String dir : (path == null ? DEFAULT_PATH : path).split(File.pathSeparator, -1)) {
            // An empty PATH entry means the current directory, which for the child is its workdir.
            final Optional<Path> found = executable((dir.isEmpty() ? workdir : workdir.resolve(dir)).resolve(command));
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> executable(Path candidate) {
        return Files.isRegularFile(candidate) && Files.isExecutable(candidate) ? Optional.of(candidate) : Optional.empty();
    }
}
