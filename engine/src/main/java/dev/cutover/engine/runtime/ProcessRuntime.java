package dev.cutover.engine.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Releases as local processes, the seeds' {@code java -jar app.jar --server.port=8082}.
 * <p>
 * Each release runs through {@code setsid} in its own session and process group (pid == pgid ==
 * sid), reads /dev/null and appends its output straight to
 * {@code <logDir>/<service>-<version>-<slot>.log}. Nothing ties it to the daemon: no pipe, no
 * controlling terminal, no shared group, so a daemon killed with -9 leaves it serving, and the next
 * daemon {@link #adopt adopts} it. A pid always travels with its start time, so a pid the kernel
 * has handed to someone else is never signalled.
 */
public final class ProcessRuntime implements AppRuntime, AutoCloseable {

    /** Default cap for one log file before it is rotated to {@code .1}. */
    public static final long DEFAULT_LOG_CAP_BYTES = 10L * 1024 * 1024;

    private static final Path SETSID = Files.isExecutable(Path.of("/usr/bin/setsid")) ? Path.of("/usr/bin/setsid") : Path.of("/bin/setsid");
    private static final Duration LOG_CHECK_EVERY = Duration.ofSeconds(2);
    /** After SIGKILL the kernel ends a process promptly; this bounds the wait if something is badly wrong. */
    private static final Duration AFTER_KILL = Duration.ofSeconds(10);
    /** Exited children remembered for their exit codes; older ones are forgotten first. */
    private static final int REMEMBERED_CHILDREN = 128;

    private final LogSizeCap logCap;
    /** The processes we started ourselves, by pid, for their exit codes. */
    private final Map<Long, Child> children = new LinkedHashMap<>();

    private record Child(Process process, Instant start) {
    }

    public ProcessRuntime() {
        this(DEFAULT_LOG_CAP_BYTES);
    }

    /** @param logCapBytes size at which a release's log file is copied to {@code .1} and truncated */
    public ProcessRuntime(long logCapBytes) {
        this.logCap = new LogSizeCap(logCapBytes, LOG_CHECK_EVERY);
    }

    @Override
    public RunningApp start(LaunchSpec launch) throws AppStartException {
        final String where = "service " + launch.service() + " (version " + launch.version() + ", slot " + launch.slot() + ")";
        if (launch.command().isEmpty()) {
            throw new AppStartException("service " + launch.service() + " has an empty `command` in cutover.yml; "
                    + "give the program and its arguments, e.g. [\"java\", \"-jar\", \"${ARTIFACT}\"]");
        }
        if (!Files.isDirectory(launch.workdir())) {
            throw new AppStartException("working directory " + launch.workdir() + " of " + where
                    + " does not exist or is not a directory; create it or fix `workdir` in cutover.yml");
        }
        if (!Files.isExecutable(SETSID)) {
            throw new AppStartException("cannot start " + where + ": " + SETSID + " is missing; install util-linux "
                    + "(cutover runs every release in its own session so it outlives the daemon)");
        }
        final ProcessBuilder builder = new ProcessBuilder();
        final Map<String, String> env = builder.environment();
        env.putAll(launch.env());
        env.put("PORT", Integer.toString(launch.port()));
        env.put("VERSION", launch.version());
        env.put("SLOT", launch.slot().label());

        final String program = launch.command().get(0);
        if (ExecutableLookup.find(program, env.get("PATH"), launch.workdir()).isEmpty()) {
            throw new AppStartException(program.contains("/")
                    ? "command '" + program + "' was not found or is not executable (in " + launch.workdir().toAbsolutePath()
                    + "); check `command` of service " + launch.service() + " in cutover.yml"
                    : "command '" + program + "' was not found (looked in PATH="
                    + Optional.ofNullable(env.get("PATH")).orElse(ExecutableLookup.DEFAULT_PATH)
                    + "); check `command` of service " + launch.service() + " in cutover.yml");
        }

        final Path logFile = logFile(launch);
        writeBanner(logFile, launch);
        final List<String> argv = new ArrayList<>(launch.command().size() + 1);
        // setsid execs in place (same pid) because a child of the JVM never leads a process group.
        argv.add(SETSID.toString());
        argv.addAll(launch.command());
        builder.command(argv)
                .directory(launch.workdir().toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                // O_APPEND: the log cap truncates under the app's feet, and its next write must land at the new end.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectErrorStream(true);
        final Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AppStartException("could not start " + where + " with " + launch.command() + ": " + e.getMessage()
                    + "; check `command` in cutover.yml and the log " + logFile, e);
        }
        // info() reads /proc; if the process already ended and was reaped there is nothing to read.
        // EPOCH then never equals a live process's start, so nobody gets signalled under that pid.
        final Instant started = process.toHandle().info().startInstant().orElse(Instant.EPOCH);
        synchronized (children) {
            forgetOldExitedChildren();
            children.put(process.pid(), new Child(process, started));
        }
        final RunningApp app = new RunningApp(launch.service(), launch.version(), launch.slot(), launch.port(),
                process.pid(), started, logFile);
        logCap.watch(logFile, () -> isAlive(app));
        return app;
    }

    @Override
    public StopResult stop(RunningApp app, Duration grace) {
        return KeptGrace.stop(() -> stopGracefully(app, grace));
    }

    private StopResult stopGracefully(RunningApp app, Duration grace) {
        final long began = System.nanoTime();
        final ProcessGroup group = new ProcessGroup(app.pid());
        final Optional<ProcessHandle> leader = handle(app);
        if (leader.isEmpty()) {
            // The leader is gone. While anyone is still in its group the kernel cannot hand its pid
            // (the group id) to a new process, so leftovers found here are ours: end them.
            if (ProcessHandle.of(app.pid()).isEmpty() && !group.members().isEmpty()) {
                group.signal("KILL");
            }
            return new StopResult(false, false, since(began), exitCode(app).orElse(null));
        }
        // Our own child is waited on through its Process, so its exit code is reaped by the time we return.
        final Child child = child(app);
        final CompletableFuture<?> exit = child != null ? child.process().onExit() : leader.get().onExit();
        group.signal("TERM");
        boolean killed = !awaitExit(exit, grace);
        // Members that outlive their leader (or a leader that outlived the grace) get SIGKILL.
        if (killed) {
            group.signal("KILL");
            awaitExit(exit, AFTER_KILL);
        } else {
            final long left = grace.toNanos() - (System.nanoTime() - began);
            if (!awaitGroupEmpty(group, Duration.ofNanos(Math.max(0, left)))) {
                group.signal("KILL");
                killed = true;
            }
        }
        return new StopResult(true, killed, since(began), exitCode(app).orElse(null));
    }

    @Override
    public boolean isAlive(RunningApp app) {
        return handle(app).isPresent();
    }

    @Override
    public Optional<Integer> exitCode(RunningApp app) {
        final Child child = child(app);
        if (child == null || child.process().isAlive()) {
            return Optional.empty();
        }
        return Optional.of(child.process().exitValue());
    }

    @Override
    public String logTail(RunningApp app, int lines) {
        return LogTail.last(app.logFile(), lines);
    }

    @Override
    public Optional<RunningApp> adopt(RunningApp recorded) {
        final Optional<RunningApp> adopted = handle(recorded).map(h -> recorded);
        adopted.ifPresent(app -> logCap.watch(app.logFile(), () -> isAlive(app)));
        return adopted;
    }

    /**
     * Completes when the app's process ends: with its exit code when we started it, -1 when the code
     * cannot be known (adopted after a daemon restart). Completes at once if it has already ended.
     */
    public CompletableFuture<Integer> onExit(RunningApp app) {
        final Child child = child(app);
        if (child != null) {
            return child.process().onExit().thenApply(Process::exitValue);
        }
        return handle(app).map(h -> h.onExit().thenApply(ended -> -1))
                .orElseGet(() -> CompletableFuture.completedFuture(-1));
    }

    /** Stops the log size checks; running apps are left alone (they outlive us by design). */
    @Override
    public void close() {
        logCap.close();
    }

    /** The process, only if it is still that very process: alive, not a zombie, same start time. */
    private static Optional<ProcessHandle> handle(RunningApp app) {
        return ProcessHandle.of(app.pid())
                .filter(ProcessHandle::isAlive)
                .filter(h -> h.info().startInstant().map(app.processStart()::equals).orElse(false))
                .filter(h -> ProcStat.of(app.pid()).map(s -> !s.isZombie()).orElse(false));
    }

    private Child child(RunningApp app) {
        synchronized (children) {
            final Child child = children.get(app.pid());
            return child != null && child.start().equals(app.processStart()) ? child : null;
        }
    }

    private void forgetOldExitedChildren() {
        int excess = children.size() - REMEMBERED_CHILDREN;
        for (Iterator<Child> it = children.values().iterator(); it.hasNext() && excess > 0; ) {
            if (!it.next().process().isAlive()) {
                it.remove();
                excess--;
            }
        }
    }

    private static boolean awaitExit(CompletableFuture<?> exit, Duration timeout) {
        try {
            exit.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return exit.isDone();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return exit.isDone();
        }
    }

    private static boolean awaitGroupEmpty(ProcessGroup group, Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!group.members().isEmpty()) {
            if (System.nanoTime() - deadline > 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    private static Path logFile(LaunchSpec launch) {
        final String name = safe(launch.service()) + "-" + safe(launch.version()) + "-" + launch.slot().label() + ".log";
        return launch.logDir().resolve(name);
    }

    /** A version like "feature/x" must not turn into a directory. */
    private static String safe(String part) {
        return part.replaceAll("[^A-Za-z0-9._+-]", "_");
    }

    /** One line before the app's own, so an appended log shows where each start begins. */
    private static void writeBanner(Path logFile, LaunchSpec launch) throws AppStartException {
        final String banner = "--- cutover " + Instant.now() + ": starting " + launch.service() + " " + launch.version()
                + " in slot " + launch.slot() + " on port " + launch.port() + ": " + String.join(" ", launch.command()) + "\n";
        try {
            Files.writeString(logFile, banner, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AppStartException("cannot write the log file " + logFile + " of service " + launch.service() + ": "
                    + e.getMessage() + "; check that the state directory exists and is writable", e);
        }
    }
}
