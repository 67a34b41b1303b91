package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;
import dev.cutover.testing.RawHttpServer;

/**
 * What the proxy makes of an app's response bytes: the head is read in place and relayed line by
 * line, bodies pass whatever their framing and however the bytes are split, and an app that breaks
 * the protocol gets its client a 502 and its connection closed, never a half-relayed head.
 */
class ResponseRelayTest {

    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    @Test
    void chunkedBodyWithExtensionsAndTrailersReachesAnHttp11ClientRechunkedWithItsTrailers() throws Exception {
        String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Checksum: abc\r\n\r\n";
        try (RawHttpServer app = RawHttpServer.answering(chunked, RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            RawHttp.Response head = client.send(GET).readResponse(true);
            String expectedBody = "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Checksum: abc\r\n\r\n";
            String body = new String(client.input().readNBytes(expectedBody.length()), StandardCharsets.ISO_8859_1);

            assertThat(head.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(head.headers().keySet()).doesNotContain("trailer");
            assertThat(body).isEqualTo(expectedBody);
            assertThat(client.send(GET).readResponse().bodyText()).isEqualTo("hello world");
            assertThat(app.connectionsAccepted()).as("a chunked answer leaves the app's connection reusable").isEqualTo(1);
        }
    }

    @Test
    void chunkedBodyReachesAnHttp10ClientAsPlainBytesThenTheConnectionCloses() throws Exception {
        String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
        try (RawHttpServer app = RawHttpServer.answering(chunked, RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            RawHttp.Response response = client.send("GET / HTTP/1.0\r\nHost: x\r\n\r\n").readResponse();

            assertThat(response.headers().keySet()).doesNotContain("transfer-encoding", "content-length");
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(response.bodyText()).isEqualTo("abcdefg");
        }
    }

    @Test
    void headAndBodyTricklingInOneByteAtATimeArriveIntact() throws Exception {
        byte[] fixed = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world".getBytes(StandardCharsets.US_ASCII);
        byte[] chunked = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\nb\r\nhello world\r\n0\r\nX-T: 1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (RawHttpServer app = RawHttpServer.start((socket, in, out) -> {
                 socket.setTcpNoDelay(true);
                 for (byte[] response : new byte[][] {fixed, chunked}) {
                     RawHttpServer.readHead(in);
                     for (byte b : response) {
                         out.write(b);
                         out.flush();
                     }
                 }
                 RawHttpServer.readHead(in);
             });
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            RawHttp.Response first = client.send(GET).readResponse();
            RawHttp.Response second = client.send(GET).readResponse();

            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("content-type")).isEqualTo("text/plain");
            assertThat(first.bodyText()).isEqualTo("hello world");
            assertThat(second.status()).isEqualTo(201);
            assertThat(second.bodyText()).isEqualTo("hello world");
        }
    }

    @Test
    void interimAndFinalResponsesInOnePacketAreBothRelayedInOrder() throws Exception {
        String answers = "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        try (RawHttpServer app = RawHttpServer.answering(answers, RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            client.send(GET);
            RawHttp.Response hints = client.readResponse();
            RawHttp.Response fin = client.readResponse();

            assertThat(hints.status()).isEqualTo(103);
            assertThat(hints.header("link")).isEqualTo("</style.css>; rel=preload");
            assertThat(fin.status()).isEqualTo(200);
            assertThat(fin.bodyText()).isEqualTo("ok");
        }
    }

    @Test
    void bytesAfterTheEndOfAResponseKeepTheConnectionOutOfThePool() throws Exception {
        try (RawHttpServer app = RawHttpServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokSTRAY", RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            RawHttp.Response first = client.send(GET).readResponse();
            RawHttp.Response second = client.send(GET).readResponse();

            assertThat(first.bodyText()).isEqualTo("ok");
            assertThat(second.bodyText()).as("the stray bytes are never read as the next answer").isEqualTo("ok");
            assertThat(app.connectionsAccepted()).isEqualTo(2);
        }
    }

    @Test
    void transferEncodingOverridesContentLengthAndTheAppConnectionIsNotReused() throws Exception {
        String both = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
        try (RawHttpServer app = RawHttpServer.answering(both, RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            RawHttp.Response first = client.send(GET).readResponse();
            RawHttp.Response second = client.send(GET).readResponse();

            assertThat(first.headers().keySet()).doesNotContain("content-length");
            assertThat(first.bodyText()).isEqualTo("ok");
            assertThat(second.bodyText()).isEqualTo("ok");
            assertThat(app.connectionsAccepted()).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a status line that is not HTTP/1.x | HTTP/2 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok | its status line is not HTTP/1.x",
        "a status code of two digits        | HTTP/1.1 20 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok | its status line is not HTTP/1.x",
        "space between name and colon       | HTTP/1.1 200 OK\\r\\nContent-Length : 2\\r\\n\\r\\nok | is not 'name: value'",
        "a header line without a colon      | HTTP/1.1 200 OK\\r\\nX-Broken\\r\\nContent-Length: 2\\r\\n\\r\\nok | is not 'name: value'",
        "a folded header line               | HTTP/1.1 200 OK\\r\\nX-A: 1\\r\\n  continued\\r\\nContent-Length: 2\\r\\n\\r\\nok | obsolete line folding",
        "a bare CR inside a value           | HTTP/1.1 200 OK\\r\\nX-A: 1\\rX-B: 2\\r\\nContent-Length: 2\\r\\n\\r\\nok | bare CR",
        "two different Content-Lengths      | HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nContent-Length: 3\\r\\n\\r\\nok | Content-Length is not one number",
        "a Content-Length that is no number | HTTP/1.1 200 OK\\r\\nContent-Length: 2x\\r\\n\\r\\nok | Content-Length is not one number",
    })
    void appBreakingTheProtocolGetsItsClientA502AndLosesItsConnection(String what, String response, String because)
            throws Exception {
        String bytes = response.replace("\\r", "\r").replace("\\n", "\n");
        try (RawHttpServer app = RawHttpServer.answering(bytes, RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            Target target = ProxyHarness.targetOf(app, "app");
            proxy.web.switchTo(target);

            RawHttp.Response answer = client.send(GET).readResponse();

            assertThat(answer.status()).isEqualTo(502);
            assertThat(answer.bodyText()).contains("was malformed").contains(because);
            assertAppConnectionClosedAndNothingInFlight(app, target);
        }
    }

    @Test
    void malformedChunkArrivingWithItsHeadIsA502BecauseNothingWentOutYet() throws Exception {
        String broken = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n";
        try (RawHttpServer app = RawHttpServer.answering(broken, RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            Target target = ProxyHarness.targetOf(app, "app");
            proxy.web.switchTo(target);

            RawHttp.Response answer = client.send(GET).readResponse();

            assertThat(answer.status()).isEqualTo(502);
            assertThat(answer.bodyText()).contains("a chunk size is not hexadecimal: 'zz'");
            assertAppConnectionClosedAndNothingInFlight(app, target);
        }
    }

    @Test
    void malformedChunkAfterTheHeadWentOutCutsTheClientOff() throws Exception {
        try (RawHttpServer app = RawHttpServer.start((socket, in, out) -> {
                 RawHttpServer.readHead(in);
                 RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n");
                 Thread.sleep(300); // the app stalls: the proxy flushes what it has
                 RawHttpServer.write(out, "zz\r\n");
                 RawHttpServer.readHead(in);
             });
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            Target target = ProxyHarness.targetOf(app, "app");
            proxy.web.switchTo(target);

            RawHttp.Response head = client.send(GET).readResponse(true);
            String firstChunk = new String(client.input().readNBytes("2\r\nok\r\n".length()), StandardCharsets.US_ASCII);

            assertThat(head.status()).isEqualTo(200);
            assertThat(firstChunk).isEqualTo("2\r\nok\r\n");
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).as("the client cannot be told otherwise: it is cut off").isTrue();
            assertAppConnectionClosedAndNothingInFlight(app, target);
        }
    }

    @Test
    void responseHeadOverTheLimitIsA502() throws IOException, InterruptedException {
        String huge = "HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(70 * 1024) + "\r\nContent-Length: 2\r\n\r\nok";
        try (RawHttpServer app = RawHttpServer.answering(huge, RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            RawHttp.Response answer = client.send(GET).readResponse();

            assertThat(answer.status()).isEqualTo(502);
            assertThat(answer.bodyText()).contains("headers are larger than 65536 bytes");
        }
    }

    /** The proxy gave up on the app's connection and counts nothing as still running. */
    private static void assertAppConnectionClosedAndNothingInFlight(RawHttpServer app, Target target) {
        Eventually.await("the app's connection to close", Duration.ofSeconds(5), () -> app.openConnections() == 0);
        assertThat(target.inFlight()).isZero();
    }
}
