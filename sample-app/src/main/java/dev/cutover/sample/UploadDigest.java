package dev.cutover.sample;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Byte count and SHA-256 of an upload, fed chunk by chunk as the body streams in. Nothing is kept,
 * so a 1 GB upload costs the same memory as a 1 KB one, and the client can check that every byte
 * arrived intact.
 */
final class UploadDigest {

    private final MessageDigest sha256;
    private long bytes;

    UploadDigest() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java runtime must provide", e);
        }
    }

    void update(ByteBuf chunk) {
        bytes += chunk.readableBytes();
        // nioBuffers() reads the chunk in place, without copying it onto the heap.
        for (ByteBuffer part : chunk.nioBuffers()) {
            sha256.update(part);
        }
    }

    /** {@code {"bytes":N,"sha256":"<hex>"}}, the body of a successful upload response. */
    String toJson() {
        return "{\"bytes\":" + bytes + ",\"sha256\":\"" + HexFormat.of().formatHex(sha256.digest()) + "\"}";
    }
}
