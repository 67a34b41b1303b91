package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.cutover.sample.SampleServer;
import dev.cutover.testing.RawHttp;

/**
 * Requests whose framing is broken or ambiguous: each is answered with its exact status, the
 * connection is closed (nobody can tell where the next request would start), and nothing
 * reaches the app.
 */
class RequestFramingTest {

    private static SampleServer backend;
    private static ProxyHarness harness;
    private static Target target;

    @BeforeAll
    static void start() throws Exception {
        backend = ProxyHarness.backend("v1");
        harness = ProxyHarness.start(ProxyHarness.config().maxInitialLineLength(1024).maxHeaderSize(4096));
        target = harness.routeTo(backend);
    }

    @AfterAll
    static void stop() {
        harness.close();
        backend.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            Content-Length with Transfer-Encoding   | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
            Transfer-Encoding with Content-Length   | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 4\\r\\n\\r\\n0\\r\\n\\r\\n
            differing duplicate Content-Lengths     | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 4\\r\\nContent-Length: 5\\r\\n\\r\\nabcde
            Content-Length list                     | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 4, 5\\r\\n\\r\\nabcde
            last coding not chunked                 | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: gzip\\r\\n\\r\\nabcd
            chunked then gzip                       | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\nabcd
            obfuscated coding                       | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\nabcd
            chunked applied twice                   | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
            Transfer-Encoding on HTTP/1.0           | POST / HTTP/1.0\\r\\nHost: x\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n
            space before the colon                  | POST / HTTP/1.1\\r\\nHost: x\\r\\nTransfer-Encoding : chunked\\r\\n\\r\\n0\\r\\n\\r\\n
            signed Content-Length                   | POST / HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: +4\\r\\n\\r\\nabcd
            bare line feeds                         | GET / HTTP/1.1\\nHost: x\\n\\n
            missing Host on HTTP/1.1                | GET / HTTP/1.1\\r\\n\\r\\n
            two Host headers                        | GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n
            garbage request line                    | HELLO\\r\\n\\r\\n
            """)
    void ambiguousOrMalformedRequestGets400AndTheConnectionClosed(String name, String raw) throws Exception {
        long before = target.stats().requests();
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response response = client.send(unescape(raw)).readResponse();

            assertThat(response.status()).as(name).isEqualTo(400);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(target.stats().requests()).as("requests that reached the app").isEqualTo(before);
    }

    @Test
    void smugglingAttemptNeverReachesTheAppEvenWithAFollowUpRequestInTheSamePacket() throws Exception {
        long before = target.stats().requests();
        String attack = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\nGET /status?code=299 HTTP/1.1\r\nHost: x\r\n\r\n";
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response response = client.send(attack).readResponse();

            assertThat(response.status()).isEqualTo(400);
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(target.stats().requests()).isEqualTo(before);
    }

    @Test
    void requestLineOverTheLimitGets414() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response response = client.send("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(response.status()).isEqualTo(414);
            assertThat(response.bodyText()).contains("longer than 1024 bytes");
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void headersOverTheLimitGet431() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n").readResponse();

            assertThat(response.status()).isEqualTo(431);
            assertThat(response.bodyText()).contains("larger than 4096 bytes");
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void malformedChunkInABodyGets400AndTheConnectionClosed() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response response = client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "4\r\nabcd\r\nzz\r\n").readResponse();

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.bodyText()).contains("malformed request body");
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(target.inFlight()).isZero();
    }

    @Test
    void wellFormedRequestAfterTheRejectedOnesStillWorks() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("v1\n");
        }
    }

    private static String unescape(String csv) {
        return csv.replace("\\r", "\r").replace("\\n", "\n");
    }
}
