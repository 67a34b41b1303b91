package dev.cutover.engine.artifact;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The retained-artifact folder: {@code root/<service>/<version>/<original file name>}. A file
 * appears there whole or not at all (copied to a temporary name in the same folder, forced to
 * disk, then renamed), so a crash mid-copy never leaves a truncated jar that a rollback would start.
 *
 * <p>Calls for one service are expected one at a time (the engine's per-service deploy lock);
 * different services never share a folder.
 */
public final class ArtifactStore {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** Names we use for work in progress; never taken for a retained artifact or version. */
    private static final String TEMP_PREFIX = ".retain-";
    private static final String PRUNE_PREFIX = ".prune-";

    private final Path root;

    public ArtifactStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** The folder that holds every service's retained artifacts. */
    public Path root() {
        return root;
    }

    /**
     * Copies {@code source} to {@code root/<service>/<version>/<its file name>} and returns that
     * path. Retaining the same file again for the same version returns the same path and copies
     * nothing; a different file for a version already retained is refused, because a version names
     * one build and a rollback to it must start those bytes.
     *
     * @throws IOException              if the source is missing, unreadable or not a regular file, or the copy fails;
     *                                  the message names the path and what to check
     * @throws IllegalArgumentException if service or version cannot be a folder name
     */
    public Path retain(String service, String version, Path source) throws IOException {
        final Path versionDir = versionDir(service, version);
        final Path from = checkedSource(source);
        final Path target = versionDir.resolve(from.getFileName().toString());
        Files.createDirectories(versionDir);

        final Path existing = retainedFile(versionDir);
        if (existing != null) {
            if (existing.equals(target) && Files.mismatch(from, target) == -1L) {
                return target;
            }
            throw new IOException("version " + version + " of " + service + " is already retained as " + existing
                    + " with different contents than " + from + "; a version names one build: deploy this build "
                    + "under a new version (or delete " + versionDir + " if the old build is not running)");
        }

        final Path temp = Files.createTempFile(versionDir, TEMP_PREFIX, ".tmp");
        try {
            Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IOException("cannot retain " + from + " as version " + version + " of " + service + " in "
                    + versionDir + ": " + e + "; check free space and permissions there", e);
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory(versionDir);
        return target;
    }

    /**
     * Deletes the retained folders of every version after the first {@code keep} of
     * {@code versionsNewestFirst}, except the protected ones (the versions running now), and
     * returns the versions whose folders were removed, in the order given. Versions with no
     * retained folder (image releases) are skipped but still count toward {@code keep}; folders of
     * versions not in the list are left alone.
     *
     * @throws IOException if a folder cannot be deleted; the ones deleted before it stay deleted
     */
    public List<String> prune(String service, List<String> versionsNewestFirst, int keep,
                              Set<String> protectedVersions) throws IOException {
        if (keep < 0) {
            throw new IllegalArgumentException("the number of releases to keep must be 0 or more, got " + keep);
        }
        final Path serviceDir = root.resolve(checkedName("service", service));
        final List<String> removed = new ArrayList<>();
        for (int i = keep; i < versionsNewestFirst.size(); i++) {
            final String version = versionsNewestFirst.get(i);
            if (protectedVersions.contains(version) || !isSafe(version)) {
                continue; // running now, or a name that never had a folder
            }
            final Path versionDir = serviceDir.resolve(version);
            if (!Files.isDirectory(versionDir)) {
                continue;
            }
            // Renamed away first, so a crash mid-delete never leaves a half-emptied version folder.
            final Path doomed = serviceDir.resolve(PRUNE_PREFIX + version + "-" + UUID.randomUUID());
            try {
                Files.move(versionDir, doomed, StandardCopyOption.ATOMIC_MOVE);
                deleteTree(doomed);
            } catch (IOException e) {
                throw new IOException("cannot delete the retained artifact of version " + version + " of " + service
                        + " (" + versionDir + "): " + e + "; check the permissions of " + serviceDir, e);
            }
            removed.add(version);
        }
        return List.copyOf(removed);
    }

    private Path versionDir(String service, String version) {
        return root.resolve(checkedName("service", service)).resolve(checkedName("version", version));
    }

    private String checkedName(String what, String name) {
        Objects.requireNonNull(name, what);
        if (!isSafe(name)) {
            throw new IllegalArgumentException(what + " name \"" + name + "\" cannot be a folder under " + root
                    + ": use 1 to 128 letters, digits, '.', '_' or '-', not starting with '.' (so not '.' or '..')");
        }
        return name;
    }

    /** Letters, digits, dot, underscore, dash; no leading dot, which rules out {@code .}, {@code ..} and our temp names. */
    private static boolean isSafe(String name) {
        return SAFE_NAME.matcher(name).matches() && !name.startsWith(".");
    }

    private static Path checkedSource(Path source) throws IOException {
        Objects.requireNonNull(source, "source");
        final Path from = source.toAbsolutePath().normalize();
        if (!Files.exists(from)) {
            throw new IOException("artifact " + from + " does not exist; check the --artifact path (a relative path"
                    + " is resolved against the daemon's working directory, " + Path.of("").toAbsolutePath()
                    + ": give an absolute one)");
        }
        if (Files.isDirectory(from)) {
            throw new IOException("--artifact must be a file, but " + from + " is a directory; point it at the jar "
                    + "or archive inside");
        }
        if (!Files.isRegularFile(from)) {
            throw new IOException("--artifact must be a regular file, but " + from + " is not (a device or a pipe?)");
        }
        if (!Files.isReadable(from)) {
            throw new IOException("artifact " + from + " is not readable by the daemon's user ("
                    + System.getProperty("user.name") + "); check its permissions and those of its folders");
        }
        return from;
    }

    /** The artifact already in a version folder, or null; leftovers of an interrupted copy do not count. */
    private static Path retainedFile(Path versionDir) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(versionDir,
                p -> !p.getFileName().toString().startsWith(TEMP_PREFIX))) {
            for (Path entry : entries) {
                return entry;
            }
        }
        return null;
    }

    /** Makes the rename itself durable: on Linux a directory's entries reach disk when it is synced. */
    private static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // Some platforms cannot open a directory for sync; the file itself is already on disk.
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
