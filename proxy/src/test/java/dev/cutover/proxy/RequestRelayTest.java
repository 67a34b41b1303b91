package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.cutover.testing.RawHttp;
import dev.cutover.testing.RawHttpServer;

/**
 * What the app receives of a client's request: the head read in place and written on line by
 * line (hop-by-hop headers out, forwarding headers in), bodies whole however the bytes are split,
 * chunked bodies with their trailers; and what the proxy refuses to pass on.
 */
class RequestRelayTest {

    /** An app that records one request's raw bytes (head and, by Content-Length or chunks, body) and answers ok. */
    private static RawHttpServer recording(CompletableFuture<String> received, boolean chunked) throws Exception {
        return RawHttpServer.start((socket, in, out) -> {
            String head = RawHttpServer.readHead(in);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                // Up to the empty line after the last chunk's trailers.
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                while (!raw.toString(StandardCharsets.ISO_8859_1).contains("0\r\n") || !raw.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    raw.write(b);
                }
                body.write(raw.toByteArray());
            } else {
                body.write(in.readNBytes((int) RawHttpServer.contentLength(head)));
            }
            received.complete(head + "|" + body.toString(StandardCharsets.ISO_8859_1));
            RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            RawHttpServer.readHead(in);
        });
    }

    @Test
    void requestTricklingInOneByteAtATimeReachesTheAppWhole() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        try (RawHttpServer app = recording(received, false);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            byte[] request = "POST /form HTTP/1.1\r\nHost: shop\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
                    .getBytes(StandardCharsets.US_ASCII);
            OutputStream out = client.output();
            for (byte b : request) {
                out.write(b);
                out.flush();
            }
            RawHttp.Response response = client.readResponse();

            String seen = received.get(10, TimeUnit.SECONDS);
            assertThat(response.bodyText()).isEqualTo("ok");
            assertThat(seen).startsWith("POST /form HTTP/1.1\r\nHost: shop\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n");
            assertThat(seen).contains("x-forwarded-for: 127.0.0.1\r\n").contains("via: 1.1 cutover\r\n");
            assertThat(seen).endsWith("|hello world");
        }
    }

    @Test
    void chunkedBodyReachesTheAppRechunkedWithItsTrailers() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        try (RawHttpServer app = recording(received, true);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n");
            RawHttp.Response response = client.readResponse();

            String seen = received.get(10, TimeUnit.SECONDS);
            assertThat(response.bodyText()).isEqualTo("ok");
            assertThat(seen).contains("transfer-encoding: chunked\r\n");
            assertThat(seen).endsWith("|5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n");
        }
    }

    @Test
    void headersNamedInConnectionAndHopByHopHeadersStopAtTheProxy() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        try (RawHttpServer app = recording(received, false);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            client.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: 5\r\n"
                    + "TE: trailers\r\nProxy-Connection: keep-alive\r\nX-Kept: yes\r\n\r\n").readResponse();

            String head = received.get(10, TimeUnit.SECONDS).toLowerCase();
            assertThat(head).contains("x-kept: yes");
            assertThat(head).doesNotContain("x-secret", "keep-alive", "te: trailers", "proxy-connection", "connection:");
        }
    }

    @Test
    void emptyLinesBeforeARequestAreSkipped() throws Exception {
        try (RawHttpServer app = RawHttpServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            RawHttp.Response response = client.send("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse();

            assertThat(response.status()).isEqualTo(200);
        }
    }

    @Test
    void controlCharacterInAHeaderValueGets400AndNothingReachesTheApp() throws Exception {
        try (RawHttpServer app = RawHttpServer.answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            RawHttp.Response response = client.send("GET / HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0000b\r\n\r\n").readResponse();

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.bodyText()).contains("the value of X-Evil holds a control character");
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
            assertThat(app.connectionsAccepted()).isZero();
        }
    }

    @Test
    void pipelinedRequestsArrivingInOnePacketWithABodyBetweenThemAreAnsweredInOrder() throws Exception {
        try (RawHttpServer app = RawHttpServer.answering(
                head -> ("HTTP/1.1 200 OK\r\nContent-Length: " + head.split(" ")[1].length() + "\r\n\r\n" + head.split(" ")[1])
                        .getBytes(StandardCharsets.US_ASCII), RawHttpServer.After.KEEP_OPEN);
             ProxyHarness proxy = ProxyHarness.start();
             RawHttp client = RawHttp.connect(proxy.port())) {
            proxy.web.switchTo(ProxyHarness.targetOf(app, "app"));

            client.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz"
                    + "GET /c HTTP/1.1\r\nHost: x\r\n\r\n");

            assertThat(client.readResponse().bodyText()).isEqualTo("/a");
            assertThat(client.readResponse().bodyText()).isEqualTo("/b");
            assertThat(client.readResponse().bodyText()).isEqualTo("/c");
        }
    }
}
