package dev.cutover.engine.traffic;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The include file cutover owns for one service, {@code cutover-NAME.upstream}: one upstream block,
 * {@code cutover_NAME}, with the active release as its only server. Written atomically (a temp file
 * in the same folder, then a rename), so nginx never reads half a file.
 */
record UpstreamFile(String service, Path path) {

    private static final Pattern SERVER = Pattern.compile("(?m)^\\s*server\\s+([^\\s;]+):(\\d+)(\\s+down)?\\s*;");

    static UpstreamFile of(Path dir, String service) {
        return new UpstreamFile(service, dir.resolve("cutover-" + service + ".upstream"));
    }

    /** The upstream's name in nginx.conf: {@code proxy_pass http://cutover_web;}. */
    static String upstreamName(String service) {
        return "cutover_" + service.replace('-', '_');
    }

    static String render(String service, String what, InetSocketAddress address, boolean down, int keepalive) {
        return "# Written by cutover for service " + service + ": " + what + ". Do not edit: every deploy rewrites it.\n"
                + "# Include it once in the http block of nginx.conf and proxy_pass http://" + upstreamName(service) + ";\n"
                + "upstream " + upstreamName(service) + " {\n"
                + "    server " + address.getHostString() + ":" + address.getPort() + (down ? " down" : "") + ";\n"
                + (keepalive > 0 ? "    keepalive " + keepalive + ";\n" : "")
                + "}\n";
    }

    /** What the file says now; empty when there is none. */
    Optional<String> read() {
        try {
            return Optional.of(Files.readString(path, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new TrafficSwitchException("cannot read nginx's upstream file for " + service + " (" + path + "): "
                    + e + "; let the user cutover runs as read it");
        }
    }

    /** The port the file routes to, when it routes anywhere (a {@code down} placeholder does not). */
    Optional<Integer> port() {
        return read().flatMap(text -> {
            Matcher m = SERVER.matcher(text);
            return m.find() && m.group(3) == null ? Optional.of(Integer.parseInt(m.group(2))) : Optional.empty();
        });
    }

    /** Replaces the file with {@code text} in one rename. */
    void write(String text) {
        Path dir = path.toAbsolutePath().getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + path.getFileName() + ".", ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            // nginx workers read includes as the master's user; a temp file is 0600, the usual conf is 0644.
            Files.setPosixFilePermissions(temp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // the write failure below is what the operator must see
                }
            }
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof NoSuchFileException ? "the folder does not exist" : e.toString();
            throw new TrafficSwitchException("cannot write nginx's upstream file for service " + service + " in " + dir
                    + " (" + why + "): create the folder and let the user cutover runs as (" + System.getProperty("user.name")
                    + ") write to it, or set nginx.upstream_dir in cutover.yml to a folder it can write");
        }
    }

    /** Puts back what was there before a refused change: the earlier text, or no file at all. */
    void restore(Optional<String> earlier) {
        if (earlier.isPresent()) {
            write(earlier.get());
        } else {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new TrafficSwitchException("cannot remove " + path + " (" + e + ")");
            }
        }
    }
}
