package dev.cutover.sample;

import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Starting and stopping an in-process server: ports, failures on start, graceful close and kill. */
class SampleLifecycleTest {

    @Test
    void portZeroListensOnAFreePortAndReportsIt() throws Exception {
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            assertThat(server.port()).isPositive();
            assertThat(server.version()).isEqualTo("v1");
            try (RawHttp connection = RawHttp.connect(server.port())) {
                assertThat(connection.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n").readResponse().bodyText()).isEqualTo("v1\n");
            }
        }
    }

    @Test
    void startFailsWithAClearMessageWhenThePortIsTaken() throws Exception {
        try (SampleServer first = SampleServer.start(SampleOptions.of(0, "v1"))) {
            assertThatThrownBy(() -> SampleServer.start(SampleOptions.of(first.port(), "v2")))
                    .isInstanceOf(SampleStartException.class)
                    .hasMessage("sample-app: port " + first.port() + " on 127.0.0.1 is already in use")
                    .extracting(e -> ((SampleStartException) e).reason()).isEqualTo(SampleStartException.Reason.PORT_IN_USE);
        }
    }

    @Test
    void crashOnStartFailsAfterAPauseWithoutListening() {
        final long start = System.nanoTime();
        assertThatThrownBy(() -> SampleServer.start(SampleOptions.of(0, "v3").withCrashOnStart(true)))
                .isInstanceOf(SampleStartException.class)
                .hasMessage("sample-app v3: crashing on purpose (crash_on_start)");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void startupDelayPostponesTheBind() throws Exception {
        final int port = freePort();
        final CompletableFuture<SampleServer> starting = CompletableFuture.supplyAsync(() -> {
            try {
                return SampleServer.start(SampleOptions.of(port, "v1").withStartupDelay(Duration.ofMillis(1000)));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
                    .as("nothing listens during the startup delay").isInstanceOf(ConnectException.class);
            assertThat(starting.isDone()).isFalse();
        } finally {
            try (SampleServer server = starting.get(5, TimeUnit.SECONDS)) {
                assertThat(server.port()).isEqualTo(port);
            }
        }
    }

    @Test
    void aRequestIsInFlightFromItsHeadUntilItsAnswerIsWritten() throws Exception {
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"));
             RawHttp connection = RawHttp.connect(server.port())) {
            assertThat(server.inFlight()).isZero();
            connection.send("GET /slow?ms=300 HTTP/1.1\r\nHost: s\r\n\r\n");
            Eventually.await("the slow request is in flight", Duration.ofSeconds(5), () -> server.inFlight() == 1);

            assertThat(connection.readResponse().status()).isEqualTo(200);
            Eventually.await("the answered request is no longer in flight", Duration.ofSeconds(5), () -> server.inFlight() == 0);
        }
    }

    @Test
    void aClientThatHangsUpMidUploadNoLongerCountsAsInFlight() throws Exception {
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            try (RawHttp connection = RawHttp.connect(server.port())) {
                connection.send("POST /upload HTTP/1.1\r\nHost: s\r\nContent-Length: 1000\r\n\r\nonly part of it");
                Eventually.await("the upload is in flight", Duration.ofSeconds(5), () -> server.inFlight() == 1);
            }
            Eventually.await("the abandoned upload is uncounted", Duration.ofSeconds(5), () -> server.inFlight() == 0);
        }
    }

    @Test
    void closeWaitsForASlowRequestInFlightThenStops() throws Exception {
        final SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"));
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: s\r\n\r\n");
            Eventually.await("the slow request is in flight", Duration.ofSeconds(5), () -> server.inFlight() == 1);

            final long start = System.nanoTime();
            final CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            Eventually.await("the listener refuses new connections while draining", Duration.ofSeconds(5), () -> refuses(server.port()));
            assertThat(closing.isDone()).as("close() still waits for the slow request").isFalse();

            final RawHttp.Response response = connection.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("v1\n");
            assertThat(response.header("connection")).as("a draining server sends clients away").isEqualTo("close");
            closing.get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(connection.input().read()).as("end of stream: the server closed the connection").isEqualTo(-1);
        }
    }

    @Test
    void closeWithNothingInFlightReturnsPromptlyAndClosesIdleConnections() throws Exception {
        final SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"));
        try (RawHttp idle = RawHttp.connect(server.port())) {
            assertThat(idle.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n").readResponse().status()).isEqualTo(200);
            final long start = System.nanoTime();

            server.close();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(idle.input().read()).as("end of stream: the server closed the connection").isEqualTo(-1);
            server.close(); // a second close is harmless
        }
    }

    @Test
    void killResetsAnOpenKeepAliveConnection() throws Exception {
        final SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"));
        try (RawHttp connection = RawHttp.connect(server.port())) {
            assertThat(connection.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n").readResponse().status()).isEqualTo(200);

            server.kill();

            assertThatThrownBy(() -> connection.input().read()).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            assertThat(refuses(server.port())).isTrue();
        }
    }

    @Test
    void killDoesNotWaitForRequestsInFlight() throws Exception {
        final SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"));
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /slow?ms=20000 HTTP/1.1\r\nHost: s\r\n\r\n");
            Eventually.await("the slow request is in flight", Duration.ofSeconds(5), () -> server.inFlight() == 1);
            final long start = System.nanoTime();

            server.kill();

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThatThrownBy(connection::readResponse).isInstanceOf(SocketException.class).hasMessageContaining("reset");
            server.close(); // after kill, close does nothing
        }
    }

    private static boolean refuses(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
