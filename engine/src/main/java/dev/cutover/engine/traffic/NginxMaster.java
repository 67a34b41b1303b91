package dev.cutover.engine.traffic;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The running nginx master, found through its pid file, and the workers under it. A reload is
 * confirmed by new workers appearing under the master; an old configuration is gone when every
 * worker that existed before the reload has exited.
 */
record NginxMaster(ProcessHandle process, Path pidFile) {

    /**
     * The master named by {@code pidFile}.
     *
     * @throws TrafficSwitchException when there is no pid file, or no process with that pid
     */
    static NginxMaster find(Path pidFile) {
        String text;
        try {
            text = Files.readString(pidFile).strip();
        } catch (NoSuchFileException e) {
            throw new TrafficSwitchException("nginx is not running: its pid file " + pidFile + " does not exist; start"
                    + " nginx (systemctl start nginx), or set nginx.pid_file in cutover.yml to the pid directive of"
                    + " your nginx.conf");
        } catch (IOException e) {
            throw new TrafficSwitchException("cannot read nginx's pid file " + pidFile + " (" + e + "); let the user"
                    + " cutover runs as read it, or set nginx.pid_file in cutover.yml");
        }
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new TrafficSwitchException("nginx's pid file " + pidFile + " holds '" + text + "', not a pid; is it"
                    + " the right file? Set nginx.pid_file in cutover.yml to the pid directive of your nginx.conf");
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (process.isEmpty()) {
            throw new TrafficSwitchException("nginx is not running: its pid file " + pidFile + " names pid " + pid
                    + ", which no longer runs; start nginx (systemctl start nginx), then deploy again");
        }
        return new NginxMaster(process.get(), pidFile);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The processes under the master now: workers, and the cache manager when there is one. */
    Set<ProcessHandle> workers() {
        return process.children().collect(Collectors.toSet());
    }

    /** Which of {@code workers} still run. A handle carries the start time, so a reused pid is not mistaken for it. */
    static List<ProcessHandle> stillRunning(Set<ProcessHandle> workers) {
        return workers.stream().filter(ProcessHandle::isAlive).sorted().toList();
    }

    /**
     * Whether {@code worker} still takes new connections: it runs, and its title is not yet nginx's
     * {@code worker process is shutting down}, which a worker sets the moment it gets the master's
     * graceful stop, right before it closes its listening sockets.
     */
    static boolean acceptsConnections(ProcessHandle worker) {
        if (!worker.isAlive()) {
            return false;
        }
        String title;
        try {
            title = new String(Files.readAllBytes(Path.of("/proc", Long.toString(worker.pid()), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return false; // gone meanwhile
        }
        return worker.isAlive() && title.contains("worker process") && !title.contains("shutting down");
    }

    static String pids(List<ProcessHandle> workers) {
        return workers.stream().map(w -> Long.toString(w.pid())).collect(Collectors.joining(", "));
    }
}
