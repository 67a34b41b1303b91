package dev.cutover.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UploadBodyTest {

    /** Not a multiple of the chunk size, nor of 8: the tail of the last chunk is exercised too. */
    private static final int SIZE = 3 * UploadBody.CHUNK_BYTES + 13;

    @Test
    void bodyIsStreamedInBoundedChunksAndItsHashCoversEveryByte() throws Exception {
        final UploadBody body = new UploadBody(SIZE).reset(7);
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        int chunks = 0;
        while (body.hasRemaining()) {
            final byte[] chunk = drain(body.nextChunk(ByteBufAllocator.DEFAULT));
            assertThat(chunk.length).isLessThanOrEqualTo(UploadBody.CHUNK_BYTES);
            all.writeBytes(chunk);
            chunks++;
        }

        assertThat(chunks).isEqualTo(4);
        assertThat(all.size()).isEqualTo(SIZE);
        assertThat(body.sha256Hex()).isEqualTo(sha256(all.toByteArray()));
    }

    @Test
    void sameSeedGivesSameBytesAndOtherSeedsOtherBytes() {
        final UploadBody body = new UploadBody(SIZE);

        final String first = hashOf(body.reset(42));
        final String again = hashOf(body.reset(42));
        final String other = hashOf(body.reset(43));

        assertThat(again).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void echoOfWhatWasSentMatches() {
        final UploadBody body = new UploadBody(100).reset(1);
        final String sha = hashOf(body);

        assertThat(body.mismatch("{\"bytes\":100,\"sha256\":\"" + sha.toUpperCase() + "\"}")).isNull();
        assertThat(body.mismatch("{ \"sha256\" : \"" + sha + "\", \"bytes\" : 100 }")).isNull();
    }

    @Test
    void echoWithAnotherHashOrSizeOrNoJsonIsExplained() {
        final UploadBody body = new UploadBody(100).reset(1);
        final String sha = hashOf(body);

        assertThat(body.mismatch("{\"bytes\":100,\"sha256\":\"00ff\"}"))
                .contains("server received 100 bytes with sha256 00ff").contains(sha);
        assertThat(body.mismatch("{\"bytes\":99,\"sha256\":\"" + sha + "\"}")).contains("server received 99 bytes");
        assertThat(body.mismatch("ok\n")).contains("is not {\"bytes\":N,\"sha256\":\"hex\"}").contains("ok");
    }

    @Test
    void hashIsRefusedBeforeTheWholeBodyIsProduced() {
        final UploadBody body = new UploadBody(SIZE).reset(1);
        body.nextChunk(ByteBufAllocator.DEFAULT).release();

        assertThatThrownBy(body::sha256Hex).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(UploadBody.CHUNK_BYTES + " of " + SIZE);
    }

    private static String hashOf(UploadBody body) {
        while (body.hasRemaining()) {
            body.nextChunk(ByteBufAllocator.DEFAULT).release();
        }
        return body.sha256Hex();
    }

    private static byte[] drain(ByteBuf buf) {
        try {
            final byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
