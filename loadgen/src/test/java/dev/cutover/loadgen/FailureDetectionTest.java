package dev.cutover.loadgen;

import dev.cutover.sample.SampleOptions;
import dev.cutover.sample.SampleServer;
import dev.cutover.testing.RawHttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.cutover.testing.RawHttpServer.contentLength;
import static dev.cutover.testing.RawHttpServer.readHead;
import static dev.cutover.testing.RawHttpServer.skip;
import static dev.cutover.testing.RawHttpServer.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** Every way a request can fail is seen, named, and counted once; and the harmless closes are not failures. */
@Timeout(30)
class FailureDetectionTest {

    @Test
    void backendKilledMidRunShowsAsAFailureWindowOfResetsAndRefusals() throws Exception {
        final SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"));
        final CountDownLatch warmedUp = new CountDownLatch(500);
        final LoadGenerator generator = LoadGeneratorTest.loadOn(server)
                .concurrency(8).duration(Duration.ofSeconds(10)).requestTimeout(Duration.ofSeconds(2))
                .listener(r -> warmedUp.countDown())
                .build();
        generator.start();
        final LoadReport report;
        try {
            assertThat(warmedUp.await(10, TimeUnit.SECONDS)).as("500 requests answered before the kill").isTrue();
            server.kill();
            Thread.sleep(200);
        } finally {
            server.kill();
            report = generator.stop();
        }

        assertThat(report.ok()).as(report.summary()).isGreaterThanOrEqualTo(500);
        assertThat(report.failed()).as(report.summary()).isPositive();
        assertThat(report.failuresByCause().keySet()).as(report.summary())
                .isSubsetOf("premature_close", "connect_refused");
        assertThat(report.failures(FailureCause.CONNECT_REFUSED)).as(report.summary()).isPositive();
        assertThat(report.longestFailureWindow().requests()).isPositive();
        assertThat(report.longestFailureWindow().spanMs()).isPositive();
        assertThat(report.firstFailures()).isNotEmpty();
        assertThat(report.summary()).contains("longest failure window");
    }

    @Test
    void portWithNothingListeningYieldsConnectFailuresPromptly() throws Exception {
        final int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        final long started = System.nanoTime();

        final LoadReport report = LoadGenerator.builder(URI.create("http://127.0.0.1:" + port + "/"))
                .concurrency(4).maxRequests(50).requestTimeout(Duration.ofSeconds(5))
                .build().run();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(report.total()).isEqualTo(50);
        assertThat(report.failed()).isEqualTo(50);
        assertThat(report.failuresByCause()).containsExactly(entry("connect_refused", 50L));
        assertThat(report.statusCounts()).isEmpty();
        assertThat(report.latency().count()).isZero();
        assertThat(report.longestFailureWindow().requests()).isEqualTo(50);
        assertThat(report.summary()).contains("cannot connect to").contains(Integer.toString(port));
    }

    @Test
    void uploadEchoWithAnotherHashIsABadBody() throws Exception {
        final List<RequestRecord> records = new CopyOnWriteArrayList<>();
        try (RawHttpServer server = RawHttpServer.start((socket, in, out) -> {
            String head;
            while ((head = readHead(in)) != null) {
                final long length = contentLength(head);
                skip(in, length);
                final String echo = "{\"bytes\":" + length + ",\"sha256\":\"" + "0".repeat(64) + "\"}";
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + echo.length()
                        + "\r\n\r\n" + echo);
            }
        })) {
            final LoadReport report = LoadGenerator.builder(server.url())
                    .concurrency(1).maxRequests(3).uploadEvery(1).uploadBytes(100_000).listener(records::add)
                    .build().run();

            assertThat(report.failuresByCause()).as(report.summary()).containsExactly(entry("bad_body", 3L));
            assertThat(report.statusCount(200)).isEqualTo(3);
            assertThat(records).hasSize(3).allSatisfy(r -> {
                assertThat(r.cause()).isEqualTo(FailureCause.BAD_BODY);
                assertThat(r.detail()).startsWith("server received 100000 bytes with sha256 " + "0".repeat(64) + ", but 100000 bytes");
            });
            assertThat(server.connectionsAccepted()).as("a bad echo is a complete response: the connection is kept").isEqualTo(1);
        }
    }

    @Test
    void responseCutShortIsAPrematureCloseThatKeepsTheStatusItSaw() throws Exception {
        final List<RequestRecord> records = new CopyOnWriteArrayList<>();
        try (RawHttpServer server = RawHttpServer.start((socket, in, out) -> {
            if (readHead(in) != null) {
                write(out, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a few bytes");
            }
        })) {
            final LoadReport report = LoadGenerator.builder(server.url())
                    .concurrency(1).maxRequests(3).listener(records::add).build().run();

            assertThat(report.failuresByCause()).as(report.summary()).containsExactly(entry("premature_close", 3L));
            assertThat(report.statusCounts()).as("a cut response is not an answer").isEmpty();
            assertThat(records).allSatisfy(r -> {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.detail()).isEqualTo("the server closed the connection in the middle of a 200 response");
            });
        }
    }

    @Test
    void connectionResetBeforeTheAnswerIsAPrematureClose() throws Exception {
        try (RawHttpServer server = RawHttpServer.start((socket, in, out) -> {
            if (readHead(in) != null) {
                socket.setSoLinger(true, 0); // close with RST
            }
        })) {
            final LoadReport report = LoadGenerator.builder(server.url()).concurrency(2).maxRequests(10).build().run();

            assertThat(report.total()).isEqualTo(10);
            assertThat(report.failuresByCause()).as(report.summary()).containsExactly(entry("premature_close", 10L));
        }
    }

    @Test
    void bytesThatAreNotHttpAreAMalformedResponse() throws Exception {
        try (RawHttpServer server = RawHttpServer.start((socket, in, out) -> {
            if (readHead(in) != null) {
                write(out, "SSH-2.0-OpenSSH_9.2\r\n\r\n");
                Thread.sleep(5_000); // keep the connection open: the client must not wait for EOF
            }
        })) {
            final LoadReport report = LoadGenerator.builder(server.url()).concurrency(1).maxRequests(2).build().run();

            assertThat(report.failuresByCause()).as(report.summary()).containsExactly(entry("malformed_response", 2L));
            assertThat(report.firstFailures().getFirst().detail()).startsWith("invalid HTTP response");
        }
    }

    @Test
    void silentServerTimesOutAtTheRequestTimeout() throws Exception {
        final List<RequestRecord> records = new CopyOnWriteArrayList<>();
        try (RawHttpServer server = RawHttpServer.start((socket, in, out) -> {
            readHead(in);
            Thread.sleep(10_000);
        })) {
            final LoadReport report = LoadGenerator.builder(server.url())
                    .concurrency(1).maxRequests(2).requestTimeout(Duration.ofMillis(300)).listener(records::add)
                    .build().run();

            assertThat(report.failuresByCause()).as(report.summary()).containsExactly(entry("timeout", 2L));
            assertThat(records).allSatisfy(r -> {
                assertThat(r.latencyNanos()).isBetween(Duration.ofMillis(300).toNanos(), Duration.ofMillis(1_000).toNanos());
                assertThat(r.detail()).isEqualTo("no complete response within 300 ms");
            });
            assertThat(server.connectionsAccepted()).as("a timed-out connection is not reused").isEqualTo(2);
        }
    }

    @Test
    void connectionCloseAfterACompleteResponseIsNotAFailureAndTheNextRequestReconnects() throws Exception {
        try (RawHttpServer server = RawHttpServer.start((socket, in, out) -> {
            if (readHead(in) != null) {
                write(out, "HTTP/1.1 200 OK\r\nX-Version: raw\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n");
            }
        })) {
            final LoadReport report = LoadGenerator.builder(server.url()).concurrency(2).maxRequests(20).build().run();

            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.versions()).containsExactly(entry("raw", 20L));
            assertThat(server.connectionsAccepted()).isEqualTo(20);
        }
    }

    @Test
    void responseDelimitedByEndOfConnectionIsComplete() throws Exception {
        try (RawHttpServer server = RawHttpServer.start((socket, in, out) -> {
            if (readHead(in) != null) {
                write(out, "HTTP/1.1 200 OK\r\nX-Version: eof\r\n\r\nthe body ends where the connection does");
            }
        })) {
            final LoadReport report = LoadGenerator.builder(server.url()).concurrency(2).maxRequests(10).build().run();

            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.versions()).containsExactly(entry("eof", 10L));
        }
    }

    @Test
    void informationalResponseIsSkippedAndTheFinalOneCounts() throws Exception {
        try (RawHttpServer server = RawHttpServer.start((socket, in, out) -> {
            while (readHead(in) != null) {
                write(out, "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nX-Version: v9\r\nContent-Length: 3\r\n\r\nok\n");
            }
        })) {
            final LoadReport report = LoadGenerator.builder(server.url()).concurrency(1).maxRequests(5).build().run();

            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.statusCounts()).containsExactly(entry("200", 5L));
            assertThat(report.versions()).containsExactly(entry("v9", 5L));
        }
    }
}
