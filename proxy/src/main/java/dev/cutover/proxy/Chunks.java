package dev.cutover.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/** The chunked transfer coding, written (RFC 9112 section 7.1): a body re-framed for the client. */
final class Chunks {

    private static final ByteBuf CRLF = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeByte('\r').writeByte('\n')).asReadOnly();

    private Chunks() {
    }

    /** The size line before {@code length} bytes of data. */
    static ByteBuf header(ByteBufAllocator alloc, int length) {
        ByteBuf out = alloc.directBuffer(10);
        out.writeCharSequence(Integer.toHexString(length), StandardCharsets.US_ASCII);
        return out.writeByte('\r').writeByte('\n');
    }

    /** The CRLF after a chunk's data. */
    static ByteBuf dataEnd() {
        return CRLF.duplicate();
    }

    /** The last chunk, the trailer lines (each ending in CRLF; consumed, may be null) and the final CRLF. */
    static ByteBuf last(ByteBufAllocator alloc, ByteBuf trailers) {
        int trailerBytes = trailers == null ? 0 : trailers.readableBytes();
        ByteBuf out = alloc.directBuffer(5 + trailerBytes).writeByte('0').writeByte('\r').writeByte('\n');
        if (trailers != null) {
            out.writeBytes(trailers);
            trailers.release();
        }
        return out.writeByte('\r').writeByte('\n');
    }
}
