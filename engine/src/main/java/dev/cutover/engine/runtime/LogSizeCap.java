package dev.cutover.engine.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps app log files under a size cap the way logrotate's {@code copytruncate} does: the app
 * writes straight to its file (no pipe through us, so it survives our death), so we cannot swap
 * the file under it; instead an over-cap file is copied to {@code <file>.1} (replacing the previous
 * one) and truncated in place. The app opened it with O_APPEND, so its next write lands at the new
 * end instead of leaving a hole. Lines written between the copy and the truncate are lost, as with
 * logrotate; at one check every few seconds that is a small window.
 */
final class LogSizeCap implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LogSizeCap.class);

    private final long capBytes;
    private final Map<Path, BooleanSupplier> watched = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    LogSizeCap(long capBytes, Duration every) {
        if (capBytes <= 0) {
            throw new IllegalArgumentException("log cap must be positive, got " + capBytes + " bytes");
        }
        this.capBytes = capBytes;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "cutover-log-cap");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::checkAll, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Watches {@code file} for as long as {@code stillWritten} says its writer runs. */
    void watch(Path file, BooleanSupplier stillWritten) {
        watched.put(file, stillWritten);
    }

    private void checkAll() {
        for (Map.Entry<Path, BooleanSupplier> e : watched.entrySet()) {
            try {
                rotateIfOver(e.getKey());
                if (!e.getValue().getAsBoolean()) {
                    watched.remove(e.getKey(), e.getValue());
                }
            } catch (RuntimeException | IOException ex) {
                // One unreadable file must not stop the cap on the others (the timer dies on a throw).
                log.warn("could not cap log file {}: {}", e.getKey(), ex.toString());
            }
        }
    }

    void rotateIfOver(Path file) throws IOException {
        final long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException gone) {
            return;
        }
        if (size <= capBytes) {
            return;
        }
        final Path previous = file.resolveSibling(file.getFileName() + ".1");
        final Path partial = file.resolveSibling(file.getFileName() + ".1.partial");
        Files.copy(file, partial, StandardCopyOption.REPLACE_EXISTING);
        // Readers of .1 see the old or the new copy, never half of one.
        Files.move(partial, previous, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(0);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
