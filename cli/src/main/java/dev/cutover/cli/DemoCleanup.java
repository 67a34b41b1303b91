package dev.cutover.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import dev.cutover.server.Daemon;

/**
 * Ends the demo without a trace, once, whether it finished or was interrupted (Ctrl-C runs this as a
 * shutdown hook): the sample apps stopped, the daemon closed, the demo's folder removed.
 */
final class DemoCleanup implements Runnable {

    private final Daemon daemon;
    private final Path dir;
    private final AtomicBoolean done = new AtomicBoolean();

    /** @param dir the folder to remove, or null to keep it */
    DemoCleanup(Daemon daemon, Path dir) {
        this.daemon = daemon;
        this.dir = dir;
    }

    @Override
    public void run() {
        if (!done.compareAndSet(false, true)) {
            return;
        }
        try {
            daemon.engine().stopAllApps();
        } finally {
            daemon.close();
            if (dir != null) {
                deleteTree(dir);
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temp folder is not worth failing the demo for.
        }
    }
}
