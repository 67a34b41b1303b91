package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.cutover.sample.SampleServer;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;

/** After a 101 the proxy relays raw bytes both ways, and still knows the connection is in flight. */
class WebSocketTest {

    private SampleServer backend;
    private ProxyHarness harness;
    private Target target;

    @BeforeEach
    void start() throws Exception {
        backend = ProxyHarness.backend("v1");
        harness = ProxyHarness.start();
        target = harness.routeTo(backend);
    }

    @AfterEach
    void stop() {
        harness.close();
        backend.close();
    }

    @Test
    void textAndLargeBinaryFramesEchoThroughTheProxy() throws Exception {
        byte[] large = new byte[200_000];
        new Random(7).nextBytes(large);
        try (RawHttp client = RawHttp.connect(harness.port())) {
            RawHttp.Response upgraded = WebSocketWire.upgrade(client, "/ws");
            assertThat(upgraded.status()).isEqualTo(101);
            assertThat(upgraded.header("upgrade")).isEqualToIgnoringCase("websocket");

            client.send(WebSocketWire.maskedFrame(0x1, "hello".getBytes(StandardCharsets.UTF_8)));
            WebSocketWire.Frame text = WebSocketWire.readFrame(client.input());
            client.send(WebSocketWire.maskedFrame(0x2, large));
            WebSocketWire.Frame binary = WebSocketWire.readFrame(client.input());

            assertThat(text.opcode()).isEqualTo(0x1);
            assertThat(text.text()).isEqualTo("hello");
            assertThat(binary.opcode()).isEqualTo(0x2);
            assertThat(binary.payload()).isEqualTo(large);
        }
    }

    @Test
    void upgradedConnectionCountsAsInFlightUntilItCloses() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            assertThat(WebSocketWire.upgrade(client, "/ws").status()).isEqualTo(101);
            client.send(WebSocketWire.maskedFrame(0x1, "ping".getBytes(StandardCharsets.UTF_8)));
            WebSocketWire.readFrame(client.input());

            assertThat(target.inFlight()).isEqualTo(1);
        }
        Eventually.await("the WebSocket to leave the in-flight count", Duration.ofSeconds(5), () -> target.inFlight() == 0);
    }

    @Test
    void drainTimeoutSendsCloseFrame1001ThenClosesTheConnection() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            assertThat(WebSocketWire.upgrade(client, "/ws").status()).isEqualTo(101);
            harness.routeTo(ProxyHarness.backend("v2"));

            DrainResult result = harness.proxy.drain(target, Duration.ofMillis(300)).get(10, TimeUnit.SECONDS);
            WebSocketWire.Frame close = WebSocketWire.readFrame(client.input());

            assertThat(result.endedAtTimeout()).isEqualTo(1);
            assertThat(close.opcode()).isEqualTo(0x8);
            assertThat(close.closeStatus()).isEqualTo(1001);
            assertThat(client.closedByPeer(Duration.ofSeconds(5))).isTrue();
            assertThat(target.inFlight()).isZero();
        }
    }

    @Test
    void closeFrameAtDrainTimeoutWaitsForTheFrameInProgressToEnd() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port())) {
            assertThat(WebSocketWire.upgrade(client, "/ws").status()).isEqualTo(101);
            byte[] frame = WebSocketWire.maskedFrame(0x1, "split across the drain".getBytes(StandardCharsets.UTF_8));
            client.send(java.util.Arrays.copyOf(frame, 10)); // half a frame toward the app
            harness.routeTo(ProxyHarness.backend("v2"));

            var drain = harness.proxy.drain(target, Duration.ofMillis(200));
            Thread.sleep(400); // the drain timed out while the frame is still half sent
            client.send(java.util.Arrays.copyOfRange(frame, 10, frame.length));

            WebSocketWire.Frame first = WebSocketWire.readFrame(client.input());
            assertThat(drain.get(5, TimeUnit.SECONDS).endedAtTimeout()).isEqualTo(1);
            // The app got the whole frame (its echo may or may not make it back before the close).
            if (first.opcode() == 0x1) {
                assertThat(first.text()).isEqualTo("split across the drain");
                first = WebSocketWire.readFrame(client.input());
            }
            assertThat(first.opcode()).isEqualTo(0x8);
            assertThat(first.closeStatus()).isEqualTo(1001);
        }
    }
}
