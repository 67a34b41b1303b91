package dev.cutover.sample;

import dev.cutover.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class WebSocketEchoTest {

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
    void textAndBinaryFramesComeBackAndCloseIsAnswered() throws Exception {
        final Recorder recorder = new Recorder();
        final WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), recorder)
                .get(5, TimeUnit.SECONDS);

        socket.sendText("hello, cutover", true).get(5, TimeUnit.SECONDS);
        assertThat(recorder.next()).isEqualTo("text:hello, cutover");

        socket.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3, (byte) 0xff}), true).get(5, TimeUnit.SECONDS);
        assertThat(recorder.next()).isEqualTo("binary:[1, 2, 3, -1]");

        final String big = "x".repeat(200_000);
        socket.sendText(big, true).get(5, TimeUnit.SECONDS);
        assertThat(recorder.next()).isEqualTo("text:" + big);

        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
        assertThat(recorder.next()).isEqualTo("close:1000");
    }

    @Test
    void plainGetOnTheWebSocketPathIsRefused() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /ws HTTP/1.1\r\nHost: s\r\n\r\n");

            assertThat(connection.readResponse().status()).isEqualTo(400);
        }
    }

    @Test
    void upgradeByHandAnswers101WithTheAcceptKey() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            // The sample key and accept value from RFC 6455, section 1.3.
            connection.send("GET /ws HTTP/1.1\r\nHost: s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            final RawHttp.Response response = connection.readResponse(true);

            assertThat(response.status()).isEqualTo(101);
            assertThat(response.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        }
    }

    /** Collects what the server sends, whole messages only. */
    private static final class Recorder implements WebSocket.Listener {
        private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add("text:" + text);
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            final byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            received.add("binary:" + java.util.Arrays.toString(bytes));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            received.add("close:" + statusCode);
            return CompletableFuture.completedFuture(null);
        }

        String next() throws InterruptedException {
            final String message = received.poll(5, TimeUnit.SECONDS);
            assertThat(message).as("a message from the server within 5 s").isNotNull();
            return message;
        }
    }
}
