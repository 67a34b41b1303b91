package dev.cutover.engine.runtime;

import java.nio.file.Path;
import java.time.Instant;

import dev.cutover.engine.Slot;

/**
 * A release that a runtime started. {@code pid} with {@code processStart} names exactly one
 * process on this machine: a pid reused by someone else has another start time.
 *
 * @param pid          the process (and its process group: it leads its own)
 * @param processStart the process's start time as the OS reports it
 * @param logFile      its combined stdout/stderr
 */
public record RunningApp(String service, String version, Slot slot, int port, long pid, Instant processStart,
                         Path logFile) {
}
