package dev.cutover.sample;

import dev.cutover.testing.RawHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DownloadTest {

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
    void patternRepeatsEvery256BytesAndStartsWithSeven() {
        assertThat(SamplePattern.byteAt(0)).isEqualTo((byte) 7);
        assertThat(SamplePattern.byteAt(1)).isEqualTo((byte) 38);
        assertThat(SamplePattern.byteAt(1_000_003)).isEqualTo(SamplePattern.byteAt(1_000_003 + 256));
        assertThat(SamplePattern.firstBytes(300)[299]).isEqualTo(SamplePattern.byteAt(299));
    }

    @Test
    void contentLengthDownloadSendsExactlyTheAskedBytesOfThePattern() throws Exception {
        // Not a multiple of the chunk size, so the short last chunk is checked too.
        final int size = 10 * DownloadWriter.CHUNK_SIZE + 1_234;
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /download?bytes=" + size + " HTTP/1.1\r\nHost: s\r\n\r\n");
            final RawHttp.Response response = connection.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("content-length")).isEqualTo(String.valueOf(size));
            assertThat(response.header("transfer-encoding")).isNull();
            assertThat(response.header("x-version")).isEqualTo("v1");
            assertPattern(response.body(), size);
        }
    }

    @Test
    void chunkedDownloadSendsThePatternInChunkedFraming() throws Exception {
        final int size = 3 * 1024 * 1024 + 5;
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /download?bytes=" + size + "&chunked=1 HTTP/1.1\r\nHost: s\r\n\r\n");
            final RawHttp.Response response = connection.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(response.header("content-length")).isNull();
            assertPattern(response.body(), size);
        }
    }

    @Test
    void largeDownloadStreamsAllItsBytesInOrder() throws Exception {
        final long size = 256L * 1024 * 1024;
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /download?bytes=" + size + " HTTP/1.1\r\nHost: s\r\n\r\n");
            // The head only: the 256 MB body is read and checked below as it streams in.
            final RawHttp.Response head = connection.readResponse(true);
            assertThat(head.header("content-length")).isEqualTo(String.valueOf(size));

            final byte[] buffer = new byte[64 * 1024];
            long position = 0;
            while (position < size) {
                final int n = connection.input().read(buffer, 0, (int) Math.min(buffer.length, size - position));
                assertThat(n).as("bytes after %d of %d", position, size).isPositive();
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != SamplePattern.byteAt(position + i)) {
                        throw new AssertionError("byte " + (position + i) + " is " + buffer[i] + ", expected " + SamplePattern.byteAt(position + i));
                    }
                }
                position += n;
            }
        }
    }

    @Test
    void emptyDownloadsWorkInBothFramings() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /download?bytes=0 HTTP/1.1\r\nHost: s\r\n\r\nGET /download?bytes=0&chunked=1 HTTP/1.1\r\nHost: s\r\n\r\n");

            final RawHttp.Response plain = connection.readResponse();
            assertThat(plain.header("content-length")).isEqualTo("0");
            assertThat(plain.body()).isEmpty();
            final RawHttp.Response chunked = connection.readResponse();
            assertThat(chunked.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(chunked.body()).isEmpty();
        }
    }

    @Test
    void connectionIsReusableAfterADownload() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /download?bytes=100000&chunked=1 HTTP/1.1\r\nHost: s\r\n\r\n");
            assertPattern(connection.readResponse().body(), 100_000);
            connection.send("GET / HTTP/1.1\r\nHost: s\r\n\r\n");

            assertThat(connection.readResponse().bodyText()).isEqualTo("v1\n");
        }
    }

    @Test
    void downloadWithoutByteCountIs400() throws Exception {
        try (RawHttp connection = RawHttp.connect(server.port())) {
            connection.send("GET /download?bytes=lots HTTP/1.1\r\nHost: s\r\n\r\n");

            assertThat(connection.readResponse().status()).isEqualTo(400);
        }
    }

    private static void assertPattern(byte[] body, int size) {
        assertThat(body).hasSize(size);
        for (int i = 0; i < size; i++) {
            if (body[i] != SamplePattern.byteAt(i)) {
                throw new AssertionError("byte " + i + " is " + body[i] + ", expected " + SamplePattern.byteAt(i));
            }
        }
    }
}
