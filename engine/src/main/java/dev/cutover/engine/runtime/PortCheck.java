package dev.cutover.engine.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Whether a TCP port is free for a release to listen on, and if not, who holds it, so the error
 * can say "taken by pid 4711: java -jar old.jar" instead of letting the release crash on bind.
 * Linux only: listeners are read from /proc/net/tcp{,6} and matched to processes by socket inode.
 */
public final class PortCheck {

    private static final String LISTEN = "0A";
    private static final int DESCRIBE_MAX = 200;

    private PortCheck() {
    }

    /**
     * True when nothing listens on {@code port} on any address (127.0.0.1, 0.0.0.0, ::1, ::, or
     * another interface). Two checks, because each sees what the other may not: the kernel's
     * listener tables, then real binds on 0.0.0.0, 127.0.0.1 and ::1.
     */
    public static boolean isFree(int port) {
        if (!listenerInodes(port).isEmpty()) {
            return false;
        }
        for (String host : List.of("0.0.0.0", "127.0.0.1", "::1")) {
            if (!canBind(host, port)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The process listening on {@code port}; empty when nobody listens or it cannot be seen (a
     * process of another user hides its sockets from us). With several holders (a forked server)
     * the lowest pid, usually the parent.
     */
    public static Optional<ProcessHandle> listener(int port) {
        final Set<String> inodes = listenerInodes(port);
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        final TreeSet<Long> holders = new TreeSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                if (holdsAny(proc.resolve("fd"), inodes)) {
                    holders.add(Long.parseLong(proc.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return holders.stream().map(ProcessHandle::of).flatMap(Optional::stream).findFirst();
    }

    /** "pid 4711: java -jar old.jar", shortened to a readable length. */
    public static String describe(ProcessHandle process) {
        final ProcessHandle.Info info = process.info();
        final String command = info.commandLine().or(info::command).orElse(null);
        if (command == null) {
            return "pid " + process.pid() + " (its command line is not readable, probably another user's process)";
        }
        final String shown = command.length() <= DESCRIBE_MAX ? command : command.substring(0, DESCRIBE_MAX) + "...";
        return "pid " + process.pid() + ": " + shown;
    }

    private static boolean canBind(String host, int port) {
        final InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            return true; // no such address family here (no IPv6), so nothing can listen on it either
        }
        try (ServerSocket socket = new ServerSocket()) {
            // SO_REUSEADDR on, as servers set it: a listener still conflicts (Linux never shares a port
            // with a LISTEN socket), but connections in TIME_WAIT from the last release do not count.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port), 1);
            return true;
        } catch (IOException e) {
            // "Cannot assign requested address" means the address does not exist here (e.g. IPv6 off).
            return e.getMessage() != null && e.getMessage().contains("assign requested address");
        }
    }

    /** Socket inodes of listeners on {@code port}, IPv4 and IPv6. */
    private static Set<String> listenerInodes(int port) {
        final Set<String> inodes = new HashSet<>();
        final String hexPort = String.format(Locale.ROOT, "%04X", port);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            final List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue;
            }
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                final String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[3].equals(LISTEN)) {
                    continue;
                }
                final String local = f[1];
                if (local.substring(local.indexOf(':') + 1).equalsIgnoreCase(hexPort) && !f[9].equals("0")) {
                    inodes.add(f[9]);
                }
            }
        }
        return inodes;
    }

    private static boolean holdsAny(Path fdDir, Set<String> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                final String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException | UnsupportedOperationException e) {
                    continue; // closed meanwhile
                }
                if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                    return true;
                }
            }
        } catch (IOException | SecurityException e) {
            // another user's process: its fds are not ours to read
        }
        return false;
    }
}
