package dev.cutover.engine.runtime;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.RestartPolicy;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/**
 * Releases as Docker containers on the host's network, the way Kamal runs them: the container
 * listens on the slot's port itself ({@code PORT} in its environment), so the proxy, the health
 * check and the port check see it exactly as they see a local process.
 * <p>
 * A container is named {@code cutover-<service>-<slot>-<version>} and labelled
 * {@code cutover.service}, {@code cutover.slot}, {@code cutover.version}; its id is recorded, so
 * the next daemon {@link #adopt adopts} it. It has no restart policy: cutover decides what runs.
 * Its output stays in the Docker engine's json-file log (capped at 10 MB x 2), read by
 * {@link #logTail}. A stopped container is removed; rollbacks start the image again.
 */
public final class DockerRuntime implements AppRuntime, AutoCloseable {

    /** Where the Docker engine listens when neither cutover.yml nor DOCKER_HOST says otherwise. */
    public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

    public static final String LABEL_SERVICE = "cutover.service";
    public static final String LABEL_SLOT = "cutover.slot";
    public static final String LABEL_VERSION = "cutover.version";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** A pull streams progress all along; silence this long means something is stuck. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration AFTER_KILL = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration EXIT_WATCH_EVERY = Duration.ofMillis(200);
    private static final int REMEMBERED_EXITS = 128;
    private static final Pattern API_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String host;
    private final DockerClient docker;
    /** One future per watched container, completed when it stops running. */
    private final Map<String, CompletableFuture<Integer>> exits = new ConcurrentHashMap<>();
    /** Exit codes of containers we removed, for {@link #exitCode} after a stop. */
    private final Map<String, Integer> removedExitCodes = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                    return size() > REMEMBERED_EXITS;
                }
            });
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "docker-exit-watch");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> watching;

    /** @param host the Docker engine's address, {@code unix:///var/run/docker.sock} or {@code tcp://...} */
    public DockerRuntime(String host) {
        this.host = host;
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        this.docker = DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder()
                .dockerHost(URI.create(host))
                .sslConfig(config.getSSLConfig())
                .connectionTimeout(CONNECT_TIMEOUT)
                .responseTimeout(RESPONSE_TIMEOUT)
                .build());
    }

    /** DOCKER_HOST when set, else the engine's usual socket. */
    public static String defaultHost() {
        String fromEnv = System.getenv("DOCKER_HOST");
        return fromEnv == null || fromEnv.isBlank() ? DEFAULT_HOST : fromEnv;
    }

    public String host() {
        return host;
    }

    /** The container's name for a release: one per service, slot and version. */
    public static String containerName(String service, String slot, String version) {
        return "cutover-" + service + "-" + slot + "-" + version;
    }

    /**
     * Makes sure the engine answers and the image is here, pulling it when it is not.
     *
     * @return what was done, for the deploy's timeline
     */
    @Override
    public Optional<String> prepare(String service, String image) throws AppStartException {
        if (image == null || image.isBlank()) {
            throw new AppStartException("service " + service + " runs as a container (runtime: docker) but no image was "
                    + "given; deploy it with --image REF, e.g. --image registry.example.com/" + service + ":v2");
        }
        ping();
        try {
            String id = docker.inspectImageCmd(image).exec().getId();
            return Optional.of("image " + image + " is present (" + shortId(id) + ")");
        } catch (NotFoundException absent) {
            // pulled below
        } catch (RuntimeException e) {
            throw unreachableOr(e, "could not inspect image " + image);
        }
        long began = System.nanoTime();
        try {
            ImageRef ref = ImageRef.parse(image);
            boolean done = docker.pullImageCmd(ref.repository()).withTag(ref.tag())
                    .exec(new PullImageResultCallback())
                    .awaitCompletion(PULL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                throw new AppStartException("could not pull " + image + ": no answer within " + PULL_TIMEOUT.toMinutes()
                        + " minutes; check that this machine can reach the registry");
            }
            String id = docker.inspectImageCmd(image).exec().getId();
            return Optional.of("pulled " + image + " (" + shortId(id) + ") in "
                    + String.format(java.util.Locale.ROOT, "%.1f s", (System.nanoTime() - began) / 1e9));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AppStartException("the pull of " + image + " was interrupted (the daemon is stopping)", e);
        } catch (RuntimeException e) {
            throw new AppStartException("could not pull " + image + ": " + reason(e) + "; check the name and that this "
                    + "machine can reach the registry (docker login for private registries)", e);
        }
    }

    @Override
    public RunningApp start(LaunchSpec launch) throws AppStartException {
        final String name = containerName(launch.service(), launch.slot().label(), launch.version());
        final String where = "service " + launch.service() + " (version " + launch.version() + ", slot " + launch.slot() + ")";
        if (launch.image() == null) {
            throw new AppStartException(where + " runs as a container (runtime: docker) but its release has no image; "
                    + "deploy it with --image REF");
        }
        final Path logFile = launch.logDir().resolve(name + ".log");
        try {
            removeStale(name, launch.service());
            final List<String> env = new ArrayList<>();
            launch.env().forEach((k, v) -> env.add(k + "=" + v));
            env.add("PORT=" + launch.port());
            env.add("VERSION=" + launch.version());
            env.add("SLOT=" + launch.slot().label());
            final Map<String, String> labels = Map.of(LABEL_SERVICE, launch.service(), LABEL_SLOT, launch.slot().label(),
                    LABEL_VERSION, launch.version());
            final HostConfig hostConfig = HostConfig.newHostConfig()
                    .withNetworkMode("host")
                    .withRestartPolicy(RestartPolicy.noRestart())
                    .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE, Map.of("max-size", "10m", "max-file", "2")));
            CreateContainerCmd create = docker.createContainerCmd(launch.image()).withName(name).withEnv(env)
                    .withLabels(labels).withHostConfig(hostConfig);
            if (!launch.command().isEmpty()) {
                create = create.withCmd(launch.command());
            }
            final String id = create.exec().getId();
            writeBanner(logFile, launch, name, id);
            try {
                docker.startContainerCmd(id).exec();
            } catch (RuntimeException e) {
                removeQuietly(id);
                throw new AppStartException("could not start container " + name + " of " + where + " from "
                        + launch.image() + ": " + reason(e) + "; check `command` in cutover.yml and the image's entrypoint", e);
            }
            final InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(id).exec().getState();
            return new RunningApp(launch.service(), launch.version(), launch.slot(), launch.port(),
                    Optional.ofNullable(state.getPidLong()).orElse(0L), startedAt(state), logFile, id);
        } catch (NotFoundException e) {
            throw new AppStartException("image " + launch.image() + " of " + where + " is not on this machine: "
                    + reason(e) + "; deploy it again with --image so it is pulled", e);
        } catch (RuntimeException e) {
            throw unreachableOr(e, "could not create container " + name + " of " + where + " from " + launch.image());
        }
    }

    @Override
    public StopResult stop(RunningApp app, Duration grace) {
        return KeptGrace.stop(() -> stopGracefully(app, grace));
    }

    private StopResult stopGracefully(RunningApp app, Duration grace) {
        final long began = System.nanoTime();
        final Optional<InspectContainerResponse> found = inspect(app);
        if (found.isEmpty()) {
            return new StopResult(false, false, since(began), removedExitCodes.get(app.containerId()));
        }
        final InspectContainerResponse.ContainerState state = found.get().getState();
        if (!Boolean.TRUE.equals(state.getRunning())) {
            final Integer code = state.getExitCode();
            remove(app, code);
            return new StopResult(false, false, since(began), code);
        }
        // docker stop's semantics, done in two steps so we know which of them ended it. (An image's
        // own STOPSIGNAL is not honoured: docker-java's ContainerConfig does not expose it.)
        signal(app, "SIGTERM");
        boolean killed = !awaitStopped(app, grace);
        if (killed) {
            signal(app, "SIGKILL");
            awaitStopped(app, AFTER_KILL);
        }
        final Integer code = inspect(app).map(r -> r.getState().getExitCode()).orElse(null);
        remove(app, code);
        return new StopResult(true, killed, since(began), code);
    }

    @Override
    public boolean isAlive(RunningApp app) {
        return inspect(app).map(r -> isRunning(r, app)).orElse(false);
    }

    @Override
    public Optional<Integer> exitCode(RunningApp app) {
        Optional<InspectContainerResponse> found = inspect(app);
        if (found.isEmpty()) {
            return Optional.ofNullable(removedExitCodes.get(app.containerId()));
        }
        InspectContainerResponse.ContainerState state = found.get().getState();
        return Boolean.TRUE.equals(state.getRunning()) ? Optional.empty() : Optional.ofNullable(state.getExitCode());
    }

    @Override
    public CompletableFuture<Integer> onExit(RunningApp app) {
        CompletableFuture<Integer> exit = exits.computeIfAbsent(app.containerId(), id -> new CompletableFuture<>());
        checkExits();
        synchronized (this) {
            if (watching == null && !watcher.isShutdown()) {
                watching = watcher.scheduleWithFixedDelay(this::checkExits, EXIT_WATCH_EVERY.toMillis(),
                        EXIT_WATCH_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        return exit;
    }

    @Override
    public String logTail(RunningApp app, int lines) {
        final StringBuilder out = new StringBuilder();
        try {
            ResultCallback.Adapter<Frame> callback = docker.logContainerCmd(app.containerId()).withStdOut(true).withStdErr(true)
                    .withTail(lines).exec(new ResultCallback.Adapter<>() {
                        @Override
                        public void onNext(Frame frame) {
                            synchronized (out) {
                                out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                            }
                        }
                    });
            callback.awaitCompletion(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            return "(its output could not be read: " + reason(e) + ")";
        }
        synchronized (out) {
            return out.toString();
        }
    }

    @Override
    public String describe(RunningApp app) {
        return "container " + containerName(app.service(), app.slot().label(), app.version()) + " (" + shortId(app.containerId()) + ")";
    }

    @Override
    public String logName(RunningApp app) {
        return "docker logs " + containerName(app.service(), app.slot().label(), app.version());
    }

    /** Takes back a recorded container: the same id, still running, still labelled as that release. */
    @Override
    public Optional<RunningApp> adopt(RunningApp recorded) {
        if (recorded.containerId() == null) {
            return Optional.empty();
        }
        return inspect(recorded).filter(r -> isRunning(r, recorded)).map(r -> recorded);
    }

    /** Stops watching for exits; the containers keep running (they outlive the daemon by design). */
    @Override
    public void close() {
        watcher.shutdownNow();
        exits.values().forEach(f -> f.complete(-1));
        try {
            docker.close();
        } catch (IOException e) {
            // nothing left to do with a client we are dropping
        }
    }

    // --- the parts ---

    private void ping() throws AppStartException {
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            throw unreachable(e);
        }
    }

    private AppStartException unreachable(Throwable e) {
        return new AppStartException("cannot reach the Docker engine at " + host + ": " + reason(e)
                + "; is dockerd running and may this user use its socket?", e);
    }

    /** A failed call: the engine gone away says so; anything else is the engine's own answer. */
    private AppStartException unreachableOr(RuntimeException e, String what) {
        if (isConnectionProblem(e)) {
            return unreachable(e);
        }
        return new AppStartException(what + ": " + reason(e), e);
    }

    private static boolean isConnectionProblem(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** A container left under our name (a deploy that died half-way) is in the way of the new one. */
    private void removeStale(String name, String service) {
        try {
            InspectContainerResponse stale = docker.inspectContainerCmd(name).exec();
            Map<String, String> labels = stale.getConfig().getLabels();
            if (labels != null && service.equals(labels.get(LABEL_SERVICE))) {
                docker.removeContainerCmd(stale.getId()).withForce(true).exec();
            }
        } catch (NotFoundException none) {
            // the usual case
        }
    }

    private Optional<InspectContainerResponse> inspect(RunningApp app) {
        try {
            return Optional.of(docker.inspectContainerCmd(app.containerId()).exec());
        } catch (NotFoundException gone) {
            return Optional.empty();
        }
    }

    private static boolean isRunning(InspectContainerResponse r, RunningApp app) {
        Map<String, String> labels = r.getConfig().getLabels();
        return Boolean.TRUE.equals(r.getState().getRunning())
                && labels != null && app.service().equals(labels.get(LABEL_SERVICE))
                && app.slot().label().equals(labels.get(LABEL_SLOT)) && app.version().equals(labels.get(LABEL_VERSION));
    }

    private void signal(RunningApp app, String signal) {
        try {
            docker.killContainerCmd(app.containerId()).withSignal(signal).exec();
        } catch (RuntimeException e) {
            // It ended between our look and the signal (409 "is not running"); the wait below sees that.
        }
    }

    private boolean awaitStopped(RunningApp app, Duration timeout) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean running = inspect(app).map(r -> Boolean.TRUE.equals(r.getState().getRunning())).orElse(false);
            if (!running) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                // A stop keeps its grace; the interrupt is given back by stop().
            }
        }
    }

    private void remove(RunningApp app, Integer exitCode) {
        if (exitCode != null) {
            removedExitCodes.put(app.containerId(), exitCode);
        }
        CompletableFuture<Integer> exit = exits.remove(app.containerId());
        if (exit != null) {
            exit.complete(exitCode == null ? -1 : exitCode);
        }
        removeQuietly(app.containerId());
    }

    private void removeQuietly(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).exec();
        } catch (RuntimeException e) {
            // already gone, or the engine went away: nothing of ours runs in it any more
        }
    }

    /** One look at every watched container; those that stopped complete their futures. */
    private void checkExits() {
        for (Map.Entry<String, CompletableFuture<Integer>> watched : exits.entrySet()) {
            try {
                InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(watched.getKey()).exec().getState();
                if (!Boolean.TRUE.equals(state.getRunning())) {
                    exits.remove(watched.getKey(), watched.getValue());
                    watched.getValue().complete(Optional.ofNullable(state.getExitCode()).orElse(-1));
                }
            } catch (NotFoundException gone) {
                exits.remove(watched.getKey(), watched.getValue());
                watched.getValue().complete(Optional.ofNullable(removedExitCodes.get(watched.getKey())).orElse(-1));
            } catch (RuntimeException e) {
                // the engine is unreachable for a moment; look again next time
            }
        }
    }

    private static Instant startedAt(InspectContainerResponse.ContainerState state) {
        try {
            return state.getStartedAt() == null ? Instant.EPOCH : Instant.parse(state.getStartedAt());
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    /** The engine's own sentence when it gave one, else the deepest cause's message. */
    static String reason(Throwable e) {
        String message = e.getMessage();
        if (message != null) {
            Matcher m = API_MESSAGE.matcher(message);
            if (m.find()) {
                return m.group(1).replace("\\\"", "\"").replace("\\n", " ").strip();
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return rootMessage.strip();
    }

    private static String shortId(String id) {
        if (id == null) {
            return "?";
        }
        String bare = id.startsWith("sha256:") ? id.substring(7) : id;
        return bare.length() > 12 ? bare.substring(0, 12) : bare;
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    /** One line per start, so the operator finds the container and its output from cutover's log folder. */
    private static void writeBanner(Path logFile, LaunchSpec launch, String name, String id) throws AppStartException {
        final String banner = "--- cutover " + Instant.now() + ": starting " + launch.service() + " " + launch.version()
                + " in slot " + launch.slot() + " on port " + launch.port() + " as container " + name + " (" + shortId(id)
                + ") from " + launch.image() + (launch.command().isEmpty() ? "" : ": " + String.join(" ", launch.command()))
                + "; its output: docker logs " + name + "\n";
        try {
            Files.writeString(logFile, banner, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new AppStartException("cannot write the log file " + logFile + " of service " + launch.service() + ": "
                    + e.getMessage() + "; check that the state directory exists and is writable", e);
        }
    }

    /** An image reference split the way the pull API wants it: repository, and a tag or digest. */
    record ImageRef(String repository, String tag) {

        static ImageRef parse(String image) {
            int at = image.indexOf('@');
            if (at > 0) {
                return new ImageRef(image.substring(0, at), image.substring(at + 1));
            }
            int colon = image.lastIndexOf(':');
            if (colon > image.lastIndexOf('/')) {
                return new ImageRef(image.substring(0, colon), image.substring(colon + 1));
            }
            return new ImageRef(image, "latest");
        }
    }
}
