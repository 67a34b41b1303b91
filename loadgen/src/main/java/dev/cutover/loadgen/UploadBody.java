package dev.cutover.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The body of an upload: pseudo-random bytes determined by a seed, produced chunk by chunk and hashed
 * on the way out, so a 1 GiB upload costs one chunk of memory.
 *
 * <p>Each upload is seeded with its own request number: were every body identical, a proxy that
 * cross-wired two concurrent uploads would still produce matching echoes. One instance is reused
 * for every upload of a connection ({@link #reset}), one upload at a time.
 */
final class UploadBody {

    /** A multiple of 8, so only the last chunk of a body can end mid-word. */
    static final int CHUNK_BYTES = 16 * 1024;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final long size;
    private final byte[] chunk = new byte[CHUNK_BYTES];
    private final MessageDigest sha256;
    private long state;
    private long produced;
    private String digestHex;

    UploadBody(long size) {
        this.size = size;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime ships SHA-256", e);
        }
    }

    /** Starts a new body; the same seed always yields the same bytes. */
    UploadBody reset(long seed) {
        state = seed * 0x9E3779B97F4A7C15L;
        produced = 0;
        digestHex = null;
        sha256.reset();
        return this;
    }

    long size() {
        return size;
    }

    boolean hasRemaining() {
        return produced < size;
    }

    /** The next chunk of the body, in a buffer the caller owns (and writes, which releases it). */
    ByteBuf nextChunk(ByteBufAllocator alloc) {
        final int length = (int) Math.min(CHUNK_BYTES, size - produced);
        for (int i = 0; i < length; i += Long.BYTES) {
            final long word = nextLong();
            if (i + Long.BYTES <= length) {
                LONGS.set(chunk, i, word);
            } else {
                for (int j = i; j < length; j++) {
                    chunk[j] = (byte) (word >>> (8 * (j - i)));
                }
            }
        }
        sha256.update(chunk, 0, length);
        produced += length;
        return alloc.directBuffer(length).writeBytes(chunk, 0, length);
    }

    /** Lowercase hex SHA-256 of the whole body; only once every chunk has been produced. */
    String sha256Hex() {
        if (hasRemaining()) {
            throw new IllegalStateException("the body is not fully produced yet: " + produced + " of " + size + " bytes");
        }
        if (digestHex == null) {
            digestHex = HexFormat.of().formatHex(sha256.digest());
        }
        return digestHex;
    }

    /**
     * Compares what the server says it received with what was sent.
     *
     * @return null when they match, else a sentence saying how they differ
     */
    String mismatch(CharSequence echoJson) {
        final UploadEcho echo = UploadEcho.parse(echoJson);
        if (echo == null) {
            return "upload answered 2xx but the body is not {\"bytes\":N,\"sha256\":\"hex\"}: " + abbreviate(echoJson);
        }
        if (echo.bytes() != size || !echo.sha256().equalsIgnoreCase(sha256Hex())) {
            return "server received " + echo.bytes() + " bytes with sha256 " + echo.sha256()
                    + ", but " + size + " bytes with sha256 " + sha256Hex() + " were sent";
        }
        return null;
    }

    /** SplitMix64: fast, and good enough that every chunk differs from every other. */
    private long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static String abbreviate(CharSequence text) {
        return text.length() <= 200 ? text.toString() : text.subSequence(0, 200) + "...";
    }
}
