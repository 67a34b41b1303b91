package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.cutover.sample.SampleServer;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;

/** The proxy's own graceful stop: stop accepting, let running requests finish, then exit. */
class ShutdownTest {

    @Test
    void shutdownLetsRunningRequestsFinishAndAcceptsNoNewConnections() throws Exception {
        SampleServer backend = ProxyHarness.backend("v1");
        ProxyHarness harness = ProxyHarness.start();
        try {
            Target target = harness.routeTo(backend);
            int port = harness.port();
            RawHttp slowClient = RawHttp.connect(port);
            slowClient.send("GET /slow?ms=800 HTTP/1.1\r\nHost: x\r\n\r\n");
            Eventually.await("the slow request in flight", Duration.ofSeconds(5), () -> target.inFlight() == 1);

            CompletableFuture<Void> stopped = harness.proxy.shutdown(Duration.ofSeconds(10));

            // The listener closes asynchronously: shutdown() never blocks its caller.
            Eventually.await("new connections are refused", Duration.ofSeconds(5), () -> refused(port));
            assertThat(stopped).isNotDone();
            RawHttp.Response response = slowClient.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("connection")).as("told the client not to reuse the connection").isEqualTo("close");
            assertThat(slowClient.closedByPeer(Duration.ofSeconds(5))).isTrue();
            stopped.get(5, TimeUnit.SECONDS);
        } finally {
            harness.close();
            backend.close();
        }
    }

    private static boolean refused(int port) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void shutdownEndsWhatStillRunsAtItsTimeout() throws Exception {
        SampleServer backend = ProxyHarness.backend("v1");
        ProxyHarness harness = ProxyHarness.start();
        try {
            Target target = harness.routeTo(backend);
            RawHttp slowClient = RawHttp.connect(harness.port());
            slowClient.send("GET /slow?ms=10000 HTTP/1.1\r\nHost: x\r\n\r\n");
            Eventually.await("the slow request in flight", Duration.ofSeconds(5), () -> target.inFlight() == 1);

            long start = System.nanoTime();
            harness.proxy.shutdown(Duration.ofMillis(300)).get(5, TimeUnit.SECONDS);

            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(4000);
            assertThat(slowClient.readResponse().status()).isEqualTo(504);
            assertThat(target.inFlight()).isZero();
        } finally {
            harness.close();
            backend.close();
        }
    }

    @Test
    void idleKeepAliveConnectionsAreClosedAtOnceOnShutdown() throws Exception {
        SampleServer backend = ProxyHarness.backend("v1");
        ProxyHarness harness = ProxyHarness.start();
        try {
            harness.routeTo(backend);
            RawHttp idle = RawHttp.connect(harness.port());
            assertThat(idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().status()).isEqualTo(200);

            harness.proxy.shutdown(Duration.ofSeconds(10)).get(5, TimeUnit.SECONDS);

            assertThat(idle.closedByPeer(Duration.ofSeconds(2))).isTrue();
        } finally {
            harness.close();
            backend.close();
        }
    }
}
