package dev.cutover.engine.docker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.cutover.engine.DeployEvent;
import dev.cutover.engine.DeployRefusedException;
import dev.cutover.engine.DeployRequest;
import dev.cutover.engine.DeployResult;
import dev.cutover.engine.Engine;
import dev.cutover.engine.HealthSpec;
import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.runtime.DockerRuntime;
import dev.cutover.engine.runtime.ProcessRuntime;
import dev.cutover.engine.runtime.RunningApp;
import dev.cutover.engine.runtime.ServiceRuntimes;
import dev.cutover.engine.store.Store;
import dev.cutover.engine.traffic.ProxySwitch;
import dev.cutover.proxy.Proxy;
import dev.cutover.proxy.ProxyConfig;
import dev.cutover.proxy.RoutingTable;
import dev.cutover.testing.RawHttp;

/** A whole control plane with a docker service: the real proxy, a real Docker engine, a real SQLite store. */
final class DockerHarness implements AutoCloseable {

    static final String SERVICE = "web";

    final Path stateDir;
    final Store store;
    final Proxy proxy;
    final DockerRuntime docker;
    final ProcessRuntime processes = new ProcessRuntime();
    final Engine engine;
    final ServiceSpec spec;
    final List<DeployEvent> events = new CopyOnWriteArrayList<>();

    DockerHarness(Path stateDir, String dockerHost, ServiceSpec spec) throws IOException {
        this.stateDir = stateDir;
        this.spec = spec;
        this.store = Store.open(stateDir.resolve("state.db"));
        this.proxy = Proxy.start(ProxyConfig.builder().listen("127.0.0.1", 0).ioThreads(2).build(), RoutingTable.empty());
        this.docker = new DockerRuntime(dockerHost);
        this.engine = new Engine(Map.of(SERVICE, spec), new ServiceRuntimes(Map.of("process", processes, "docker", docker)),
                new ProxySwitch(proxy), store, stateDir, Clock.systemUTC());
    }

    /** The test image's own command, quick to judge. */
    static ServiceSpec webService(List<String> command) {
        return ServiceSpec.docker(SERVICE, command, freePort(), freePort())
                .withHealth(new HealthSpec("/health", Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(10), 2, 0))
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    DeployResult deploy(String version, String image) throws DeployRefusedException {
        return engine.deploy(new DeployRequest(SERVICE, version, null, image, dev.cutover.engine.DeployKind.DEPLOY), events::add);
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + proxy.localAddress().getPort() + path);
    }

    /** Which image answers through the proxy right now: its baked-in X-Version. */
    String servedVersion() throws IOException {
        try (RawHttp client = RawHttp.connect(proxy.localAddress().getPort())) {
            return client.send("GET /cgi-bin/version HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().header("x-version");
        }
    }

    RunningApp recorded(dev.cutover.engine.Slot slot) {
        return store.apps(SERVICE).stream().filter(a -> a.slot() == slot).findFirst().orElseThrow();
    }

    List<String> messages() {
        return events.stream().map(DeployEvent::message).toList();
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What kill -9 of the daemon leaves: the proxy and the store gone, the containers still running. */
    void die() {
        proxy.shutdown(Duration.ofMillis(100)).join();
        store.close();
        docker.close();
        processes.close();
    }

    @Override
    public void close() {
        engine.stopAllApps();
        engine.close();
        proxy.shutdown(Duration.ofSeconds(5)).join();
        store.close();
        docker.close();
        processes.close();
    }
}
