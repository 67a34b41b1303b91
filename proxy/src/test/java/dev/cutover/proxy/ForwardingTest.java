package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cutover.sample.SampleServer;
import dev.cutover.testing.RawHttp;
import dev.cutover.testing.RawHttpServer;

/** What passes through the proxy, byte for byte: bodies, framing, headers, keep-alive, 1xx. */
class ForwardingTest {

    private static SampleServer backend;
    private static ProxyHarness harness;
    private static Target target;

    @BeforeAll
    static void start() throws Exception {
        backend = ProxyHarness.backend("v1");
        harness = ProxyHarness.start();
        target = harness.routeTo(backend);
    }

    @AfterAll
    static void stop() {
        harness.close();
        backend.close();
    }

    @Test
    void keepAliveConnectionCarriesManyRequestsAndEveryOneIsCounted() throws Exception {
        long before = target.stats().responses2xx();
        try (RawHttp client = RawHttp.connect(harness.port())) {
            for (int i = 0; i < 100; i++) {
                RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo("v1\n");
                assertThat(response.header("x-version")).isEqualTo("v1");
            }
        }
        assertThat(target.stats().responses2xx() - before).isEqualTo(100);
        assertThat(target.inFlight()).isZero();
    }

    @Test
    void forwardedHeadersFromAnUntrustedClientAreReplacedAndViaIsAdded() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            String headers = client.send("GET /headers HTTP/1.1\r\nHost: shop.example:8080\r\n"
                    + "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.example\r\n\r\n")
                    .readResponse().bodyText();

            assertThat(headers)
                    .contains("\"x-forwarded-for\":[\"127.0.0.1\"]")
                    .contains("\"x-forwarded-proto\":[\"http\"]")
                    .contains("\"x-forwarded-host\":[\"shop.example:8080\"]")
                    .contains("\"via\":[\"1.1 cutover\"]")
                    .contains("\"host\":[\"shop.example:8080\"]")
                    .doesNotContain("6.6.6.6", "evil.example", "https");
        }
    }

    @Test
    void forwardedHeadersFromATrustedProxyAreAppendedTo() throws Exception {
        try (ProxyHarness trusting = ProxyHarness.start(ProxyHarness.config().trustedProxies(java.util.List.of("127.0.0.0/8")));
             RawHttp client = RawHttp.connect(trusting.port())) {
            trusting.routeTo(backend);

            String headers = client.send("GET /headers HTTP/1.1\r\nHost: internal\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\nVia: 1.1 edge\r\n\r\n")
                    .readResponse().bodyText();

            assertThat(headers)
                    .contains("\"x-forwarded-for\":[\"203.0.113.9, 127.0.0.1\"]")
                    .contains("\"x-forwarded-proto\":[\"https\"]")
                    .contains("\"x-forwarded-host\":[\"shop.example\"]")
                    .contains("\"via\":[\"1.1 edge, 1.1 cutover\"]");
        }
    }

    @Test
    void hopByHopRequestHeadersStopAtTheProxy() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            String headers = client.send("GET /headers HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Secret-Hop\r\n"
                    + "X-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\n"
                    + "Trailer: X-T\r\nUpgrade: h2c\r\nX-End-To-End: kept\r\n\r\n").readResponse().bodyText();

            assertThat(headers).contains("\"x-end-to-end\":[\"kept\"]")
                    .doesNotContain("x-secret-hop", "keep-alive", "proxy-connection", "\"te\"", "\"trailer\"", "upgrade", "h2c");
        }
    }

    @Test
    void hopByHopResponseHeadersStopAtTheProxyAndFramingIsRedone() throws Exception {
        String close = "HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
                + "X-End-To-End: kept\r\nContent-Length: 5\r\n\r\nhello";
        try (RawHttpServer scripted = RawHttpServer.answering(close, RawHttpServer.After.CLOSE);
             ProxyHarness own = ProxyHarness.start();
             RawHttp client = RawHttp.connect(own.port())) {
            own.web.switchTo(ProxyHarness.targetOf(scripted, "scripted"));

            RawHttp.Response first = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            RawHttp.Response second = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(first.bodyText()).isEqualTo("hello");
            assertThat(first.header("x-end-to-end")).isEqualTo("kept");
            assertThat(first.headers().keySet()).doesNotContain("x-hop", "keep-alive", "connection");
            assertThat(second.bodyText()).as("the app's Connection: close is not the client's").isEqualTo("hello");
            assertThat(scripted.connectionsAccepted()).isEqualTo(2);
        }
    }

    @Test
    void closeDelimitedResponseFromAnHttp10AppReachesAnHttp11ClientChunked() throws Exception {
        try (RawHttpServer old = RawHttpServer.answering("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
                RawHttpServer.After.CLOSE);
             ProxyHarness own = ProxyHarness.start();
             RawHttp client = RawHttp.connect(own.port())) {
            own.web.switchTo(ProxyHarness.targetOf(old, "old"));

            RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(response.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(response.bodyText()).isEqualTo("until the end");
            assertThat(client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().bodyText()).isEqualTo("until the end");
        }
    }

    @Test
    void headAnd204And304AnswersCarryNoBodyAndTheConnectionStaysUsable() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response head = client.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(true);
            RawHttp.Response noContent = client.send("GET /status?code=204 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            RawHttp.Response notModified = client.send("GET /status?code=304 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();
            RawHttp.Response after = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(head.status()).isEqualTo(200);
            assertThat(noContent.status()).isEqualTo(204);
            assertThat(notModified.status()).isEqualTo(304);
            assertThat(after.bodyText()).as("no stray body bytes in front of the next response").isEqualTo("v1\n");
        }
    }

    @Test
    void expectContinueIsAnsweredByTheAppThroughTheProxy() throws Exception {
        byte[] body = "sixteen bytes!!!".getBytes();
        try (RawHttp client = RawHttp.connect(harness.port())) {
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response interim = client.readResponse();

            client.send(body);
            RawHttp.Response response = client.readResponse();

            assertThat(interim.status()).isEqualTo(100);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).contains("\"bytes\":16").contains(sha256(body));
        }
    }

    @Test
    void chunkedRequestBodyArrivesWhole() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response response = client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").readResponse();

            assertThat(response.bodyText()).contains("\"bytes\":11").contains(sha256("hello world".getBytes()));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            client.send("GET /slow?ms=200 HTTP/1.1\r\nHost: x\r\n\r\nGET /status?code=201 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET / HTTP/1.1\r\nHost: x\r\n\r\n");

            assertThat(client.readResponse().status()).isEqualTo(200);
            assertThat(client.readResponse().status()).isEqualTo(201);
            assertThat(client.readResponse().bodyText()).isEqualTo("v1\n");
        }
    }

    @Test
    void http10ClientWithoutKeepAliveGetsItsAnswerThenAClose() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response response = client.send("GET / HTTP/1.0\r\n\r\n").readResponse();

            assertThat(response.bodyText()).isEqualTo("v1\n");
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void http10ClientAskingForKeepAliveKeepsItsConnection() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response first = client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse();
            RawHttp.Response second = client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse();

            assertThat(first.header("connection")).isEqualToIgnoringCase("keep-alive");
            assertThat(second.bodyText()).isEqualTo("v1\n");
        }
    }

    @Test
    void clientThatLeavesMidRequestIsNoLongerCountedInFlight() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            client.send("GET /slow?ms=5000 HTTP/1.1\r\nHost: x\r\n\r\n");
            dev.cutover.testing.Eventually.await("the request to be in flight", Duration.ofSeconds(5), () -> target.inFlight() == 1);
        }
        dev.cutover.testing.Eventually.await("in-flight to drop when the client left", Duration.ofSeconds(5), () -> target.inFlight() == 0);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
