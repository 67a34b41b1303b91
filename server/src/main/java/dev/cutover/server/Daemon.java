package dev.cutover.server;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.cutover.engine.Engine;
import dev.cutover.engine.runtime.AppRuntime;
import dev.cutover.engine.runtime.DockerRuntime;
import dev.cutover.engine.runtime.ProcessRuntime;
import dev.cutover.engine.runtime.ServiceRuntimes;
import dev.cutover.engine.store.Store;
import dev.cutover.engine.traffic.NginxSwitch;
import dev.cutover.engine.traffic.ProxySwitch;
import dev.cutover.engine.traffic.TrafficSwitch;
import dev.cutover.proxy.Proxy;
import dev.cutover.proxy.RoutingTable;
import dev.cutover.server.api.ControlEndpoints;
import dev.cutover.server.config.ControlConfig;
import dev.cutover.server.config.CutoverConfig;
import dev.cutover.server.control.ControlServer;

/**
 * {@code cutover serve}: the proxy, the engine and the control API, started in that order and
 * stopped in reverse. The apps it starts outlive it: stopping (or killing) the daemon stops
 * routing, never the apps, and the next start serves the same versions again.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    private static final Duration DEPLOYS_GRACE = Duration.ofSeconds(15);
    private static final Duration CONTROL_GRACE = Duration.ofSeconds(5);
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(15);

    private final CutoverConfig config;
    private final Store store;
    private final Proxy proxy;
    private final Engine engine;
    private final ProcessRuntime runtime;
    private final DockerRuntime docker;      // null when no service runs as a container
    private final ControlServer control;
    private final List<String> recovered;
    private final Instant startedAt;

    private Daemon(CutoverConfig config, Store store, Proxy proxy, Engine engine, ProcessRuntime runtime,
                   DockerRuntime docker, ControlServer control, List<String> recovered, Instant startedAt) {
        this.config = config;
        this.store = store;
        this.proxy = proxy;
        this.engine = engine;
        this.runtime = runtime;
        this.docker = docker;
        this.control = control;
        this.recovered = recovered;
        this.startedAt = startedAt;
    }

    /**
     * Starts everything, or nothing: when a part cannot start (state dir locked, a port taken),
     * what already started is stopped again and the exception says which part and why.
     */
    public static Daemon start(CutoverConfig config) throws IOException {
        Instant startedAt = Instant.now();
        Files.createDirectories(config.stateDir());
        Store store = Store.open(config.stateDir().resolve("state.db"));
        Proxy proxy = null;
        ProcessRuntime runtime = null;
        DockerRuntime docker = null;
        Engine engine = null;
        try {
            TrafficSwitch traffic;
            if (config.nginx() != null) {
                traffic = new NginxSwitch(config.nginx()); // nginx serves the traffic: no listener of ours
            } else {
                proxy = Proxy.start(config.proxy(), RoutingTable.empty());
                traffic = new ProxySwitch(proxy);
            }
            runtime = new ProcessRuntime();
            AppRuntime runtimes = runtime;
            if (config.usesDocker()) {
                // No call to the Docker engine yet: a deploy says clearly when it cannot be reached.
                docker = new DockerRuntime(config.dockerHost());
                runtimes = new ServiceRuntimes(java.util.Map.of("process", runtime, "docker", docker));
            }
            engine = new Engine(config.services(), runtimes, traffic, store, config.stateDir(), Clock.systemUTC());
            List<String> recovered = engine.recover();
            recovered.forEach(line -> log.info("recovery: {}", line));
            ControlConfig c = config.control();
            DaemonInfo info = info(config, proxy, startedAt);
            ControlServer.Builder controlBuilder = ControlServer.builder(ControlEndpoints.routes(engine, () -> info))
                    .unixSocket(c.socket())
                    .shutdownGrace(CONTROL_GRACE);
            if (c.listen() != null) {
                controlBuilder.tcp(c.listen(), Files.readString(c.tokenFile()).strip());
                if (c.tls() != null) {
                    controlBuilder.tls(c.tls().certChain(), c.tls().key());
                }
            }
            ControlServer control = controlBuilder.start();
            Daemon daemon = new Daemon(config, store, proxy, engine, runtime, docker, control, recovered, startedAt);
            log.info("cutover daemon ready: {}, control socket {}{}", proxy != null ? "proxy on " + proxy.localAddress()
                    : "driving nginx (pid file " + config.nginx().pidFile() + ")", c.socket(),
                    c.listen() == null ? "" : ", control also on " + (c.tls() == null ? "http://" : "https://")
                            + c.listen().getHostString() + ":" + c.listen().getPort());
            return daemon;
        } catch (IOException | RuntimeException e) {
            if (engine != null) {
                engine.close();
            }
            if (runtime != null) {
                runtime.close();
            }
            if (docker != null) {
                docker.close();
            }
            if (proxy != null) {
                proxy.shutdown(Duration.ofSeconds(1)).join();
            }
            store.close();
            throw e;
        }
    }

    public Engine engine() {
        return engine;
    }

    /** The built-in proxy; null with {@code traffic: nginx}. */
    public Proxy proxy() {
        return proxy;
    }

    public List<String> recovered() {
        return recovered;
    }

    public DaemonInfo info() {
        return info(config, proxy, startedAt);
    }

    private static DaemonInfo info(CutoverConfig config, Proxy proxy, Instant startedAt) {
        return new DaemonInfo(ProcessHandle.current().pid(), startedAt, proxy == null ? "nginx" : proxy.localAddress().getHostString() + ":"
                + proxy.localAddress().getPort(), config.control().socket().toString(), config.source().toString(),
                config.stateDir().toString());
    }

    /**
     * Interrupts running deploys (before their switch they abort; an unverified switch goes back),
     * stops the control API, drains the proxy; the apps keep running. Bounded well under systemd's
     * default stop timeout: deploys 15 s, the control API 5 s, the proxy's drain 15 s.
     */
    @Override
    public void close() {
        try {
            engine.stop(DEPLOYS_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        control.close();
        if (proxy != null) {
            proxy.shutdown(DRAIN_GRACE).join();
        }
        engine.close();
        runtime.close();
        if (docker != null) {
            docker.close();
        }
        store.close();
        log.info("cutover daemon stopped; the apps keep running and the next start routes to them again");
    }
}
