package dev.cutover.engine.runtime;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process group, addressed by its id: who is in it, and a signal to all of them at once.
 * <p>
 * Signals go through {@code /bin/kill -SIG -- -<pgid>}, i.e. kill(2) with a negative pid: the kernel
 * delivers to every member atomically, including members that forked a moment ago or were
 * re-parented to init. Walking ProcessHandle descendants instead would miss re-parented members
 * and race with forks; the JDK has no call that signals a group.
 */
record ProcessGroup(long pgid) {

    private static final Path KILL = Path.of("/bin/kill");

    /** Sends {@code signal} ("TERM", "KILL") to every member; false when there was nobody to signal. */
    boolean signal(String signal) {
        final Path kill = Files.isExecutable(KILL) ? KILL : Path.of("/usr/bin/kill");
        final ProcessBuilder builder = new ProcessBuilder(kill.toString(), "-" + signal, "--", "-" + pgid)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        try {
            final Process process = builder.start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + kill + " to send SIG" + signal + " to process group " + pgid
                    + ": " + e.getMessage() + "; cutover needs procps or util-linux kill installed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The live (non-zombie) members, from /proc; empty when there are none. */
    List<Long> members() {
        final List<Long> members = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumeric(p.getFileName().toString()))) {
            for (Path proc : procs) {
                ProcStat.of(Long.parseLong(proc.getFileName().toString()))
                        .filter(s -> s.pgrp() == pgid && !s.isZombie())
                        .ifPresent(s -> members.add(s.pid()));
            }
        } catch (IOException e) {
            // /proc unreadable: report nobody rather than guess; callers only use this to sweep leftovers.
        }
        return members;
    }

    private static boolean isNumeric(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
