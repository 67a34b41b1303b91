package dev.cutover.engine.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One process's line in {@code /proc/<pid>/stat}: what the kernel says about its state, parent,
 * process group and session. ProcessHandle tells none of the last three.
 *
 * @param state   R, S, D, Z (zombie), T ...
 * @param pgrp    its process group
 * @param session its session
 */
record ProcStat(long pid, char state, long ppid, long pgrp, long session) {

    /** Empty when the process is gone (or /proc is not readable). */
    static Optional<ProcStat> of(long pid) {
        final String line;
        try {
            line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        // The command name sits in parentheses and may itself contain spaces and ')': parse after the last one.
        final int close = line.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        final String[] f = line.substring(close + 2).trim().split(" ");
        if (f.length < 4) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcStat(pid, f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    boolean isZombie() {
        return state == 'Z' || state == 'X';
    }
}
