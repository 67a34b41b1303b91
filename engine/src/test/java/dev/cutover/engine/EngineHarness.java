package dev.cutover.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.cutover.engine.runtime.ProcessRuntime;
import dev.cutover.engine.store.Store;
import dev.cutover.engine.traffic.ProxySwitch;
import dev.cutover.proxy.Proxy;
import dev.cutover.proxy.ProxyConfig;
import dev.cutover.proxy.RoutingTable;
import dev.cutover.sample.SampleCommand;
import dev.cutover.testing.RawHttp;

/**
 * A whole control plane for a test: the real proxy on a free port, real sample-app processes, a
 * real SQLite store in a temp dir. Every deploy passes a behavior file as its artifact, the way a
 * user passes a jar: an empty one for a good release, {@code never_healthy=true} for a bad one.
 */
final class EngineHarness implements AutoCloseable {

    static final String SERVICE = "web";

    final Path stateDir;
    final Store store;
    final Proxy proxy;
    final ProcessRuntime runtime = new ProcessRuntime();
    final Engine engine;
    final ServiceSpec spec;
    final List<DeployEvent> events = new CopyOnWriteArrayList<>();

    private EngineHarness(Path stateDir, ServiceSpec spec) throws IOException {
        this.stateDir = stateDir;
        this.spec = spec;
        this.store = Store.open(stateDir.resolve("state.db"));
        this.proxy = Proxy.start(ProxyConfig.builder().listen("127.0.0.1", 0).ioThreads(2).build(), RoutingTable.empty());
        this.engine = new Engine(java.util.Map.of(SERVICE, spec), runtime, new ProxySwitch(proxy), store, stateDir,
                Clock.systemUTC());
    }

    static EngineHarness start(Path stateDir) throws IOException {
        return start(stateDir, sampleApp(freePort(), freePort()));
    }

    static EngineHarness start(Path stateDir, ServiceSpec spec) throws IOException {
        return new EngineHarness(stateDir, spec);
    }

    /** The sample app as a service, started the way a user starts a jar, quick to judge in tests. */
    static ServiceSpec sampleApp(int bluePort, int greenPort) {
        return ServiceSpec.process(SERVICE, SampleCommand.withPlaceholders(), bluePort, greenPort)
                .withHealth(new HealthSpec("/health", Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(20), 2, 0))
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + proxy.localAddress().getPort() + path);
    }

    /** A behavior file for the sample app: empty for a good release. */
    Path artifact(String version, String behavior) {
        try {
            Path dir = Files.createDirectories(stateDir.resolveSibling(stateDir.getFileName() + "-builds"));
            return Files.writeString(dir.resolve(version + ".properties"), behavior);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    DeployResult deploy(String version) throws DeployRefusedException {
        return deploy(version, "");
    }

    DeployResult deploy(String version, String behavior) throws DeployRefusedException {
        return engine.deploy(DeployRequest.of(SERVICE, version).withArtifact(artifact(version, behavior)), events::add);
    }

    /** Which version answers a request through the proxy right now. */
    String servedVersion() throws IOException {
        try (RawHttp client = RawHttp.connect(proxy.localAddress().getPort())) {
            return client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().header("x-version");
        }
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

    /** What kill -9 of the daemon leaves: the proxy and the store gone, the apps still running. */
    void die() {
        proxy.shutdown(Duration.ofMillis(100)).join();
        store.close();
    }

    @Override
    public void close() {
        engine.stopAllApps();
        proxy.shutdown(Duration.ofSeconds(5)).join();
        store.close();
    }
}
