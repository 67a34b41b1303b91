package dev.cutover.sample;

import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class UploadTest {

    private static SampleServer server;

    @BeforeAll
    static void start() throws InterruptedException {
        server = SampleServer.start(SampleOptions.of(0, "v1"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void streamedUploadOf64MbAnswersItsByteCountAndSha256() throws Exception {
        final long size = 64L * 1024 * 1024;
        final MessageDigest sent = MessageDigest.getInstance("SHA-256");
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("POST /upload HTTP/1.1\r\nHost: s\r\nContent-Length: " + size + "\r\n\r\n");
            final OutputStream out = connection.output();
            final byte[] block = new byte[64 * 1024];
            for (long offset = 0; offset < size; offset += block.length) {
                fill(block, offset);
                sent.update(block);
                out.write(block);
            }
            out.flush();
            final RawHttp.Response response = connection.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("content-type")).isEqualTo("application/json");
            assertThat(response.header("x-version")).isEqualTo("v1");
            assertThat(response.bodyText()).isEqualTo("{\"bytes\":" + size + ",\"sha256\":\"" + HexFormat.of().formatHex(sent.digest()) + "\"}");
        }
    }

    @Test
    void expectContinueIsAnsweredWith100BeforeTheBodyIsSent() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("POST /upload HTTP/1.1\r\nHost: s\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            // Nothing of the body is sent until the server says so, as a careful client does.
            final RawHttp.Response proceed = connection.readResponse();
            assertThat(proceed.status()).isEqualTo(100);
            assertThat(proceed.header("x-version")).isEqualTo("v1");

            connection.send("hello");
            final RawHttp.Response response = connection.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("{\"bytes\":5,\"sha256\":\"" + sha256("hello".getBytes()) + "\"}");
        }
    }

    @Test
    void unknownExpectationIsRefusedWith417() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("POST /upload HTTP/1.1\r\nHost: s\r\nContent-Length: 5\r\nExpect: something-else\r\n\r\n");

            assertThat(connection.readResponse().status()).isEqualTo(417);
        }
    }

    @Test
    void chunkedUploadIsCountedAndHashedToo() throws Exception {
        final byte[] body = new byte[3 * 1024 * 1024 + 17];
        fill(body, 0);
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // An InputStream body has no known length, so the client sends it chunked.
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/upload"))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"bytes\":" + body.length + ",\"sha256\":\"" + sha256(body) + "\"}");
    }

    @Test
    void emptyUploadAnswersZeroBytes() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("POST /upload HTTP/1.1\r\nHost: s\r\nContent-Length: 0\r\n\r\n");

            assertThat(connection.readResponse().bodyText()).isEqualTo("{\"bytes\":0,\"sha256\":\"" + sha256(new byte[0]) + "\"}");
        }
    }

    @Test
    void uploadCountsAsInFlightUntilAnswered() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("POST /upload HTTP/1.1\r\nHost: s\r\nContent-Length: 10\r\n\r\nhalf ");
            Eventually.await("the half-sent upload counts as in flight", Duration.ofSeconds(5), () -> server.inFlight() == 1);

            connection.send("done!");
            assertThat(connection.readResponse().status()).isEqualTo(200);
            Eventually.await("the answered upload no longer counts", Duration.ofSeconds(5), () -> server.inFlight() == 0);
        }
    }

    private static void fill(byte[] block, long offset) {
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) ((offset + i) * 7 + 3);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
