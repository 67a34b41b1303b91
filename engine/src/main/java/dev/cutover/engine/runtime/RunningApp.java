package dev.cutover.engine.runtime;

import java.nio.file.Path;
import java.time.Instant;

import dev.cutover.engine.Slot;

/**
 * A release that a runtime started. {@code pid} with {@code processStart} names exactly one
 * process on this machine: a pid reused by someone else has another start time.
 *
 * @param pid          the process (and its process group: it leads its own); for a container, its
 *                     main process as the Docker engine reports it
 * @param processStart the process's start time as the OS reports it; for a container, when the
 *                     Docker engine says it started
 * @param logFile      its combined stdout/stderr; for a container, a file holding only cutover's
 *                     launch lines (the output itself is in {@code docker logs})
 * @param containerId  the container that runs it, for the docker runtime; null for a local process
 */
public record RunningApp(String service, String version, Slot slot, int port, long pid, Instant processStart,
                         Path logFile, String containerId) {

    /** A release run as a local process. */
    public RunningApp(String service, String version, Slot slot, int port, long pid, Instant processStart,
                      Path logFile) {
        this(service, version, slot, port, pid, processStart, logFile, null);
    }

    /** Whether a container runs it (else a local process). */
    public boolean inContainer() {
        return containerId != null;
    }
}
