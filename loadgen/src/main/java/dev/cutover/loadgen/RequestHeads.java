package dev.cutover.loadgen;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;

/**
 * The request heads of a run, encoded once. Every request of a kind has the same head, so each send is
 * a retained duplicate of one buffer (no encoder, no per-request bytes). Upload bodies follow their
 * head separately, as a stream.
 *
 * <p>Owned by the generator: {@link #release()} once every channel is closed.
 */
final class RequestHeads {

    private static final String USER_AGENT = "cutover-loadgen";

    private final ByteBuf normal;
    private final ByteBuf slow;
    private final ByteBuf upload;

    RequestHeads(String hostHeader, String normalTarget, String slowTarget, String uploadTarget, long uploadBytes) {
        this.normal = encode("GET " + normalTarget + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: " + USER_AGENT + "\r\n\r\n");
        this.slow = encode("GET " + slowTarget + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: " + USER_AGENT + "\r\n\r\n");
        this.upload = encode("POST " + uploadTarget + " HTTP/1.1\r\n"
                + "Host: " + hostHeader + "\r\n"
                + "User-Agent: " + USER_AGENT + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Length: " + uploadBytes + "\r\n\r\n");
    }

    /** A buffer for one send of that kind's head; writing it releases it. */
    ByteBuf forKind(RequestKind kind) {
        return switch (kind) {
            case NORMAL -> normal.retainedDuplicate();
            case SLOW -> slow.retainedDuplicate();
            case UPLOAD -> upload.retainedDuplicate();
        };
    }

    void release() {
        normal.release();
        slow.release();
        upload.release();
    }

    private static ByteBuf encode(String head) {
        final byte[] bytes = head.getBytes(StandardCharsets.US_ASCII);
        return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }
}
