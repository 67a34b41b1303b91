package dev.cutover.sample;

import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as the deploy engine meets it: a child JVM, its output lines and its exit code. */
class SampleAppProcessTest {

    private static final Duration START = Duration.ofSeconds(15);
    private static final Duration EXIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void printsOneListeningLineThenServesItsVersion() throws Exception {
        try (SampleProcess app = SampleProcess.start(SampleProcess.lightJvm(), "--port=0", "--version", "v2")) {
            final int port = app.awaitListening(START);

            assertThat(app.stdout()).containsExactly("sample-app v2 listening on 127.0.0.1:" + port);
            try (RawHttp connection = RawHttp.connect(port)) {
                final RawHttp.Response response = connection.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n").readResponse();
                assertThat(response.bodyText()).isEqualTo("v2\n");
                assertThat(response.header("x-version")).isEqualTo("v2");
            }
        }
    }

    @Test
    void crashOnStartExitsWith3AndSaysItWasOnPurpose() throws Exception {
        final int port = freePort();
        final long start = System.nanoTime();
        try (SampleProcess app = SampleProcess.start(SampleProcess.lightJvm(), "--port", String.valueOf(port), "--version", "v3",
                "--crash-on-start")) {
            assertThat(app.awaitExit(EXIT)).isEqualTo(3);

            assertThat(app.stderr()).isEqualTo("sample-app v3: crashing on purpose (crash_on_start)");
            assertThat(app.stdout()).as("it never says it listens").isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void behaviorFileCanMakeAVersionCrashOnStart() throws Exception {
        final Path behavior = Files.writeString(dir.resolve("broken.properties"), "crash_on_start=true\n");
        try (SampleProcess app = SampleProcess.start(SampleProcess.lightJvm(), "--port", "0", "--version", "v4",
                "--behavior", behavior.toString())) {
            assertThat(app.awaitExit(EXIT)).isEqualTo(3);
            assertThat(app.stderr()).contains("sample-app v4: crashing on purpose (crash_on_start)");
        }
    }

    @Test
    void takenPortExitsWith4AndNamesThePort() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            final int port = taken.getLocalPort();
            try (SampleProcess app = SampleProcess.start(SampleProcess.lightJvm(), "--port", String.valueOf(port))) {
                assertThat(app.awaitExit(EXIT)).isEqualTo(4);
                assertThat(app.stderr()).isEqualTo("sample-app: port " + port + " on 127.0.0.1 is already in use");
            }
        }
    }

    @Test
    void missingBehaviorFileExitsWith2AndNamesTheFile() throws Exception {
        final Path missing = dir.resolve("missing.properties");
        try (SampleProcess app = SampleProcess.start(SampleProcess.lightJvm(), "--port", "0", "--behavior", missing.toString())) {
            assertThat(app.awaitExit(EXIT)).isEqualTo(2);
            assertThat(app.stderr()).isEqualTo("sample-app: behavior file " + missing + " does not exist; pass an existing file, or --behavior= for none");
        }
    }

    @Test
    void sigtermLetsASlowRequestFinishThenExitsZero() throws Exception {
        try (SampleProcess app = SampleProcess.start(SampleProcess.lightJvm(), "--port", "0", "--version", "v5")) {
            final int port = app.awaitListening(START);
            try (RawHttp connection = RawHttp.connect(port)) {
                // The server sends 100 only after counting the request, so once we read it the request is in flight.
                connection.send("GET /slow?ms=1500 HTTP/1.1\r\nHost: s\r\nExpect: 100-continue\r\n\r\n");
                assertThat(connection.readResponse().status()).isEqualTo(100);

                app.terminate();

                Eventually.await("the draining app refuses new connections", Duration.ofSeconds(5), () -> refuses(port));
                final RawHttp.Response response = connection.readResponse();
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.bodyText()).isEqualTo("v5\n");
                assertThat(response.header("connection")).isEqualTo("close");
            }
            assertThat(app.awaitExit(EXIT)).isZero();
            assertThat(app.stdout()).as("stdout; stderr was: %s", app.stderr()).containsExactly(
                    "sample-app v5 listening on 127.0.0.1:" + port,
                    "sample-app v5: stopping (1 requests in flight)",
                    "sample-app v5: stopped");
        }
    }

    @Test
    void a256MbUploadFitsInA64MbProcess() throws Exception {
        // Aggregating the body anywhere (heap or direct memory) would not fit: only streaming passes.
        final long size = 256L * 1024 * 1024;
        try (SampleProcess app = SampleProcess.start(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m"), "--port", "0");
             RawHttp connection = RawHttp.connect(app.awaitListening(START))) {
            connection.send("POST /upload HTTP/1.1\r\nHost: s\r\nContent-Length: " + size + "\r\n\r\n");
            final MessageDigest sent = MessageDigest.getInstance("SHA-256");
            final byte[] block = SamplePattern.firstBytes(1024 * 1024);
            final OutputStream out = connection.output();
            for (long offset = 0; offset < size; offset += block.length) {
                out.write(block);
                sent.update(block);
            }
            out.flush();

            final RawHttp.Response response = connection.readResponse();
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).isEqualTo("{\"bytes\":" + size + ",\"sha256\":\"" + HexFormat.of().formatHex(sent.digest()) + "\"}");
        }
    }

    @Test
    void a256MbDownloadToAStalledReaderFitsInA64MbProcess() throws Exception {
        // Without backpressure the server would queue the whole body for a reader that has stopped.
        final long size = 256L * 1024 * 1024;
        try (SampleProcess app = SampleProcess.start(List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m"), "--port", "0");
             RawHttp connection = RawHttp.connect(app.awaitListening(START))) {
            connection.send("GET /download?bytes=" + size + " HTTP/1.1\r\nHost: s\r\n\r\n");
            // The head only: the body is read below, at the pace of a reader that stalls.
            assertThat(connection.readResponse(true).header("content-length")).isEqualTo(String.valueOf(size));
            final InputStream in = connection.input();
            final byte[] buffer = new byte[256 * 1024];
            long position = readAndCheck(in, buffer, 0, 1024 * 1024);

            // The stall is the scenario itself (a reader that stops), not a wait for something to happen.
            Thread.sleep(1_000);

            position = readAndCheck(in, buffer, position, size);
            assertThat(position).isEqualTo(size);
        }
    }

    private static long readAndCheck(InputStream in, byte[] buffer, long from, long to) throws IOException {
        long position = from;
        while (position < to) {
            final int n = in.read(buffer, 0, (int) Math.min(buffer.length, to - position));
            if (n < 0) {
                throw new AssertionError("download ended after " + position + " bytes");
            }
            for (int i = 0; i < n; i++) {
                if (buffer[i] != SamplePattern.byteAt(position + i)) {
                    throw new AssertionError("byte " + (position + i) + " breaks the pattern");
                }
            }
            position += n;
        }
        return position;
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
