package dev.cutover.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cutover.testing.Eventually;

class ControlStreamTest {

    @TempDir
    Path dir;

    private final CountDownLatch firstLineSeen = new CountDownLatch(1);
    private final AtomicBoolean handlerSawFirstLineArrive = new AtomicBoolean();
    private final AtomicInteger slowReaderLinesWritten = new AtomicInteger();
    private final AtomicBoolean slowReaderGone = new AtomicBoolean();
    private final CountDownLatch slowReaderHandlerDone = new CountDownLatch(1);
    private final AtomicBoolean leaverGone = new AtomicBoolean();
    private ControlServer server;
    private ControlClient client;

    @BeforeEach
    void start() throws Exception {
        String padding = "p".repeat(64 * 1024);
        ControlRoutes routes = ControlRoutes.builder()
                .get("/v1/count/{n}", (req, res) -> {
                    res.stream(200);
                    int n = Integer.parseInt(req.param("n"));
                    for (int i = 1; i <= n; i++) {
                        res.line(Map.of("seq", i, "message", "event " + i));
                    }
                    res.end();
                })
                .get("/v1/lockstep", (req, res) -> {
                    res.stream(200);
                    res.line(Map.of("seq", 1));
                    handlerSawFirstLineArrive.set(firstLineSeen.await(10, TimeUnit.SECONDS));
                    res.line(Map.of("seq", 2, "clientHadLine1", handlerSawFirstLineArrive.get()));
                    // no end(): returning ends the stream
                })
                .get("/v1/fails-midway", (req, res) -> {
                    res.stream(200);
                    res.line(Map.of("phase", "STARTING"));
                    throw new IllegalStateException("slot green of service web did not become healthy within 120 s");
                })
                .get("/v1/firehose", (req, res) -> {
                    res.stream(200);
                    try {
                        for (int i = 0; i < 10_000 && !res.clientGone(); i++) {
                            res.line(Map.of("seq", i, "padding", padding));
                            slowReaderLinesWritten.incrementAndGet();
                        }
                        slowReaderGone.set(res.clientGone());
                    } finally {
                        slowReaderHandlerDone.countDown();
                    }
                })
                .get("/v1/until-gone", (req, res) -> {
                    res.stream(200);
                    res.line(Map.of("hello", true));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!res.clientGone() && System.nanoTime() < deadline) {
                        Thread.sleep(10);
                    }
                    leaverGone.set(res.clientGone());
                })
                .build();
        server = ControlServer.builder(routes)
                .unixSocket(dir.resolve("control.sock"))
                .stallTimeout(Duration.ofMillis(500))
                .start();
        client = ControlClient.unix(server.socket());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aThousandLinesArriveCompleteAndInOrder() {
        List<Integer> seen = new ArrayList<>();

        client.stream("GET", "/v1/count/1000", null, line -> seen.add(line.get("seq").asInt()));

        assertThat(seen).hasSize(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.get(i)).isEqualTo(i + 1);
        }
    }

    @Test
    void eachLineArrivesBeforeTheHandlerWritesTheNext() {
        List<JsonNode> seen = new ArrayList<>();

        client.stream("GET", "/v1/lockstep", null, line -> {
            seen.add(line);
            if (line.get("seq").asInt() == 1) {
                firstLineSeen.countDown();
            }
        });

        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).get("clientHadLine1").asBoolean()).isTrue();
    }

    @Test
    void aHandlerFailingMidStreamEndsItWithAnErrorLine() throws Exception {
        List<JsonNode> seen = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> client.stream("GET", "/v1/fails-midway", null, seen::add))
                .isInstanceOfSatisfying(ControlException.class, e -> {
                    assertThat(e.status()).isEqualTo(500);
                    assertThat(e.getMessage()).isEqualTo("slot green of service web did not become healthy within 120 s");
                });
        assertThat(seen).extracting(line -> line.get("phase").asText()).containsExactly("STARTING");

        String raw = RawUnixHttp.exchange(server.socket(), "GET /v1/fails-midway HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 200 ").containsIgnoringCase("content-type: application/x-ndjson\r\n")
                .contains("{\"phase\":\"STARTING\"}\n")
                .contains("{\"error\":\"slot green of service web did not become healthy within 120 s\"}\n")
                .endsWith("0\r\n\r\n");
    }

    @Test
    void aClientThatStopsReadingIsDroppedInsteadOfBufferedWithoutBound() throws Exception {
        try (RawUnixHttp stalled = RawUnixHttp.connect(server.socket())) {
            stalled.send("GET /v1/firehose HTTP/1.1\r\nHost: x\r\n\r\n"); // and never read

            assertThat(slowReaderHandlerDone.await(15, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(slowReaderGone).isTrue();
        // 64 KiB lines: what fits in the socket buffers and one high-water mark, not all 10 000 (625 MiB)
        assertThat(slowReaderLinesWritten.get()).isBetween(1, 200);
    }

    @Test
    void aHandlerLearnsWhenItsClientHasGone() throws Exception {
        try (RawUnixHttp leaver = RawUnixHttp.connect(server.socket())) {
            leaver.send("GET /v1/until-gone HTTP/1.1\r\nHost: x\r\n\r\n");
        }

        Eventually.await("the handler sees its client gone", Duration.ofSeconds(10), leaverGone::get);
    }

    @Test
    void callingAStreamingEndpointForOneDocumentSaysToUseStream() {
        assertThatThrownBy(() -> client.call("GET", "/v1/count/3", null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("GET /v1/count/3 answers with a stream of lines; read it with stream(...)");
    }

    @Test
    void aOneDocumentAnswerToAStreamCallArrivesAsOneLine() {
        ControlRoutes routes = ControlRoutes.builder().get("/v1/status", (req, res) -> res.json(200, Map.of("ok", true))).build();
        List<JsonNode> seen = new ArrayList<>();
        try (ControlServer other = startOn(routes, dir.resolve("other.sock"))) {
            ControlClient.unix(other.socket()).stream("GET", "/v1/status", null, seen::add);
        }
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).get("ok").asBoolean()).isTrue();
    }

    private static ControlServer startOn(ControlRoutes routes, Path socket) {
        try {
            return ControlServer.builder(routes).unixSocket(socket).start();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
