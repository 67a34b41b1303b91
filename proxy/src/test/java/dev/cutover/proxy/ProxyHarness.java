package dev.cutover.proxy;

import java.io.IOException;
import java.time.Duration;

import dev.cutover.sample.SampleOptions;
import dev.cutover.sample.SampleServer;
import dev.cutover.testing.RawHttpServer;

/** A proxy on an ephemeral local port routing every request to one service, "web". */
final class ProxyHarness implements AutoCloseable {

    final Proxy proxy;
    final Service web = new Service("web");

    private ProxyHarness(ProxyConfig config) throws IOException {
        this.proxy = Proxy.start(config, RoutingTable.builder().route(web).build());
    }

    static ProxyHarness start() throws IOException {
        return start(config());
    }

    static ProxyHarness start(ProxyConfig.Builder config) throws IOException {
        return new ProxyHarness(config.build());
    }

    /** Test defaults: an ephemeral port, two I/O threads (requests and their drains cross loops). */
    static ProxyConfig.Builder config() {
        return ProxyConfig.builder().listen("127.0.0.1", 0).ioThreads(2);
    }

    int port() {
        return proxy.localAddress().getPort();
    }

    static Target targetOf(SampleServer backend) {
        return Target.of(backend.version(), "127.0.0.1", backend.port());
    }

    static Target targetOf(RawHttpServer server, String name) {
        return Target.of(name, "127.0.0.1", server.port());
    }

    static SampleServer backend(String version) throws InterruptedException {
        return SampleServer.start(SampleOptions.of(0, version));
    }

    /** Switches "web" to the backend and returns its target. */
    Target routeTo(SampleServer backend) {
        Target target = targetOf(backend);
        web.switchTo(target);
        return target;
    }

    @Override
    public void close() {
        proxy.shutdown(Duration.ofSeconds(5)).join();
    }
}
