package dev.cutover.cli;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The app processes a test daemon started, by pid. They run in their own sessions (each leads its
 * process group) and outlive the daemon by design, so the test stops them itself: by process
 * group, TERM then KILL, never by name. Zombies (orphans nobody reaps here) count as dead.
 */
final class AppProcesses {

    private static final Pattern STARTED_AS = Pattern.compile("as pid (\\d+)");

    private final Set<Long> pids = new TreeSet<>();

    synchronized void learnFromStatus(JsonNode service) {
        for (JsonNode slot : service.path("slots")) {
            if (slot.path("pid").isNumber()) {
                pids.add(slot.path("pid").asLong());
            }
        }
    }

    /** Pids from deploy output: "started v2 on green as pid 4711 (log: ...)". */
    synchronized void learnFromEvents(String output) {
        Matcher m = STARTED_AS.matcher(output);
        while (m.find()) {
            pids.add(Long.parseLong(m.group(1)));
        }
    }

    synchronized Set<Long> known() {
        return Set.copyOf(pids);
    }

    /** The known pids still running (a zombie is not). */
    synchronized List<Long> alive() {
        return pids.stream().filter(AppProcesses::isAlive).toList();
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Stops every known app still running: TERM to its group, KILL after a grace. */
    synchronized void stopAll() {
        List<Long> running = alive();
        running.forEach(pid -> signalGroup("TERM", pid));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (long pid : running) {
            Optional<ProcessHandle> h = ProcessHandle.of(pid);
            while (h.isPresent() && h.get().isAlive() && System.nanoTime() < deadline) {
                try {
                    h.get().onExit().get(100, TimeUnit.MILLISECONDS);
                } catch (Exception stillRunning) {
                    // polled again until the deadline
                }
            }
        }
        alive().forEach(pid -> signalGroup("KILL", pid));
    }

    private static void signalGroup(String signal, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + pid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("could not signal process group " + pid + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
