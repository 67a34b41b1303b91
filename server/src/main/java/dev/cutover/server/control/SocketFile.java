package dev.cutover.server.control;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket's file: claimed before bind (a stale file from a crashed daemon is removed, a
 * live daemon is never displaced), restricted to the owner after bind, removed on close only if it
 * is still ours.
 */
final class SocketFile {

    private static final Logger log = LoggerFactory.getLogger(SocketFile.class);
    /** sun_path holds 108 bytes on Linux, the last one a NUL. */
    private static final int MAX_PATH_BYTES = 107;

    private final Path path;
    private Object fileKey;

    private SocketFile(Path path) {
        this.path = path;
    }

    /** Makes {@code path} ready to bind, or says why it cannot be. */
    static SocketFile claim(Path path) throws IOException {
        int length = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (length > MAX_PATH_BYTES) {
            throw new IOException("the control socket path " + path + " is " + length + " bytes long; Unix sockets allow at most "
                    + MAX_PATH_BYTES + ": choose a shorter path (control.socket in cutover.yml)");
        }
        Path parent = path.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            // Only the daemon's user needs to get in; this also closes most of the window before chmod 0600.
            Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            removeIfStale(path);
        }
        return new SocketFile(path);
    }

    private static void removeIfStale(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isOther()) {
            throw new IOException(path + " exists and is not a socket; move it away or choose another control socket path");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException refused) {
            log.info("removing the stale control socket {} (nobody is listening on it; a previous daemon did not shut down cleanly)", path);
            Files.delete(path);
            return;
        } catch (IOException e) {
            throw new IOException("cannot tell whether another cutover daemon is listening on " + path + ": " + e.getMessage(), e);
        }
        throw new BindException("another cutover daemon is listening on " + path
                + "; stop it first, or give this one another control socket path");
    }

    /** After bind: only the daemon's user may connect (file permissions are the access control). */
    void restrictToOwner() throws IOException {
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        fileKey = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    /** On close: remove the file unless another daemon has since put its own socket there. */
    void delete() {
        try {
            if (fileKey != null && Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                    && Objects.equals(fileKey, Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey())) {
                Files.delete(path);
            }
        } catch (IOException e) {
            log.warn("could not remove the control socket {}: {}", path, e.getMessage());
        }
    }

    Path path() {
        return path;
    }
}
