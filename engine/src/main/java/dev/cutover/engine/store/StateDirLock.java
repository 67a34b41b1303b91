package dev.cutover.engine.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on {@code daemon.lock} in the state dir: two daemons writing one state
 * database would each believe its own idea of which slot is active. The OS drops the lock when
 * the process dies, even by {@code kill -9}, so a crashed daemon never blocks its successor.
 */
final class StateDirLock implements AutoCloseable {

    static final String FILE_NAME = "daemon.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock on {@code dir/daemon.lock}, or says who is in the way. */
    static StateDirLock acquire(Path dir) {
        final Path file = dir.resolve(FILE_NAME);
        final FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException("cannot create the lock file " + file + " in the state dir: " + e
                    + "; check that " + dir + " is writable by this user", e);
        }
        FileLock lock = null;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // Another Store in this very JVM holds it: the same conflict as another daemon.
            lock = null;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot lock " + file + ": " + e
                    + "; the state dir must be on a local file system that supports locks", e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new StoreException("another cutover daemon already uses the state dir " + dir + " (lock file "
                    + file + "); stop it first or choose another state_dir");
        }
        return new StateDirLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it anyway.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was written through it; the OS lock goes with the descriptor.
        }
    }
}
