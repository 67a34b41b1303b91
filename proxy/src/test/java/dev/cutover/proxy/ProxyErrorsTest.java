package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.cutover.sample.SampleServer;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;
import dev.cutover.testing.RawHttpServer;

/** What a client sees when there is nothing to reach, or the app fails it, or the client stalls. */
class ProxyErrorsTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    void serviceWithoutActiveTargetAnswers503AndKeepsTheConnection() throws Exception {
        try (ProxyHarness harness = ProxyHarness.start(); RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response first = client.send(GET).readResponse();
            RawHttp.Response second = client.send(GET).readResponse();

            assertThat(first.status()).isEqualTo(503);
            assertThat(first.bodyText()).contains("service 'web' has no active version yet");
            assertThat(second.status()).isEqualTo(503);
        }
    }

    @Test
    void requestForNoRoutedServiceAnswers404() throws Exception {
        Service api = new Service("api");
        try (Proxy proxy = Proxy.start(ProxyHarness.config().build(),
                RoutingTable.builder().route(api, List.of("api.example.com"), List.of()).build());
             RawHttp client = RawHttp.connect(proxy.localAddress().getPort())) {
            RawHttp.Response response = client.send("GET /x HTTP/1.1\r\nHost: www.example.com\r\n\r\n").readResponse();

            assertThat(response.status()).isEqualTo(404);
            assertThat(response.bodyText()).contains("no service is routed for host 'www.example.com' and path '/x'");
        }
    }

    @Test
    void targetThatRefusesConnectionsAnswers502AndCountsAsItsServerError() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (ProxyHarness harness = ProxyHarness.start(); RawHttp client = RawHttp.connect(harness.port())) {
            Target dead = Target.of("dead", "127.0.0.1", closedPort);
            harness.web.switchTo(dead);

            RawHttp.Response response = client.send(GET).readResponse();

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.bodyText()).contains("could not connect to dead");
            assertThat(dead.stats().responses5xx()).isEqualTo(1);
            assertThat(dead.inFlight()).isZero();
        }
    }

    @Test
    void targetThatDoesNotAnswerInTimeGets504() throws Exception {
        SampleServer slow = ProxyHarness.backend("slow");
        try (ProxyHarness harness = ProxyHarness.start(ProxyHarness.config().upstreamResponseTimeout(Duration.ofMillis(300)));
             RawHttp client = RawHttp.connect(harness.port())) {
            Target target = harness.routeTo(slow);

            long start = System.nanoTime();
            RawHttp.Response response = client.send("GET /slow?ms=3000 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(response.status()).isEqualTo(504);
            assertThat(response.bodyText()).contains("did not answer within");
            assertThat(tookMillis).isBetween(250L, 2000L);
            assertThat(target.inFlight()).isZero();
            // The connection to the client survives: the request was complete.
            assertThat(client.send(GET).readResponse().status()).isEqualTo(200);
        } finally {
            slow.close();
        }
    }

    @Test
    void clientThatSendsHeadersTooSlowlyGets408AndIsClosed() throws Exception {
        SampleServer backend = ProxyHarness.backend("v1");
        try (ProxyHarness harness = ProxyHarness.start(ProxyHarness.config().clientHeaderTimeout(Duration.ofMillis(300)));
             RawHttp client = RawHttp.connect(harness.port())) {
            Target target = harness.routeTo(backend);

            client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            RawHttp.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(408);
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
            assertThat(target.stats().requests()).isZero();
        } finally {
            backend.close();
        }
    }

    @Test
    void connectionThatNeverSendsARequestIsClosedAfterTheHeaderTimeout() throws Exception {
        try (ProxyHarness harness = ProxyHarness.start(ProxyHarness.config().clientHeaderTimeout(Duration.ofMillis(300)));
             RawHttp client = RawHttp.connect(harness.port())) {
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        SampleServer backend = ProxyHarness.backend("v1");
        try (ProxyHarness harness = ProxyHarness.start(ProxyHarness.config().clientIdleTimeout(Duration.ofMillis(300)));
             RawHttp client = RawHttp.connect(harness.port())) {
            harness.routeTo(backend);

            assertThat(client.send(GET).readResponse().status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(250L);
        } finally {
            backend.close();
        }
    }

    @Test
    void connectionsOverTheLimitAreClosedAtOnce() throws Exception {
        SampleServer backend = ProxyHarness.backend("v1");
        try (ProxyHarness harness = ProxyHarness.start(ProxyHarness.config().maxConnections(2))) {
            harness.routeTo(backend);
            try (RawHttp first = RawHttp.connect(harness.port()); RawHttp second = RawHttp.connect(harness.port())) {
                assertThat(first.send(GET).readResponse().status()).isEqualTo(200);
                assertThat(second.send(GET).readResponse().status()).isEqualTo(200);
                try (RawHttp third = RawHttp.connect(harness.port())) {
                    assertThat(third.closedByPeer(Duration.ofSeconds(5))).isTrue();
                }
            }
            Eventually.await("connections to be released", Duration.ofSeconds(5), () -> harness.proxy.openConnections() == 0);
            try (RawHttp again = RawHttp.connect(harness.port())) {
                assertThat(again.send(GET).readResponse().status()).isEqualTo(200);
            }
        } finally {
            backend.close();
        }
    }

    @Test
    void appThatClosesWithoutAnsweringAPostGets502() throws Exception {
        try (RawHttpServer mute = RawHttpServer.answering(head -> null, RawHttpServer.After.CLOSE);
             ProxyHarness harness = ProxyHarness.start();
             RawHttp client = RawHttp.connect(harness.port())) {
            Target target = ProxyHarness.targetOf(mute, "mute");
            harness.web.switchTo(target);

            RawHttp.Response response = client.send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").readResponse();

            assertThat(response.status()).isEqualTo(502);
            assertThat(response.bodyText()).contains("closed the connection before it answered");
            assertThat(mute.requests()).as("a POST is never sent twice").hasSize(1);
            assertThat(target.inFlight()).isZero();
        }
    }

    @Test
    void appThatCutsItsResponseShortMakesTheProxyCloseTheClient() throws Exception {
        try (RawHttpServer truncating = RawHttpServer.answering(
                "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part", RawHttpServer.After.CLOSE);
             ProxyHarness harness = ProxyHarness.start();
             RawHttp client = RawHttp.connect(harness.port())) {
            Target target = ProxyHarness.targetOf(truncating, "truncating");
            harness.web.switchTo(target);

            client.send(GET);
            String head = new String(client.input().readNBytes("HTTP/1.1 200 OK\r\n".length()));

            assertThat(head).isEqualTo("HTTP/1.1 200 OK\r\n");
            assertThat(client.input().readAllBytes()).asString().endsWith("only part");
            Eventually.await("the exchange to end", Duration.ofSeconds(5), () -> target.inFlight() == 0);
        }
    }

    @Test
    void unsolicitedProtocolSwitchFromTheAppIsA502() throws Exception {
        try (RawHttpServer switching = RawHttpServer.answering(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n", RawHttpServer.After.KEEP_OPEN);
             ProxyHarness harness = ProxyHarness.start();
             RawHttp client = RawHttp.connect(harness.port())) {
            harness.web.switchTo(ProxyHarness.targetOf(switching, "switching"));

            assertThat(client.send(GET).readResponse().status()).isEqualTo(502);
        }
    }
}
