package dev.cutover.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Follows WebSocket frame boundaries in one direction of a relayed byte stream (RFC 6455 5.2),
 * without copying or changing the bytes. The proxy relays raw bytes after an upgrade; knowing
 * where frames end lets a drain insert its close frame between frames, never inside one.
 */
final class WebSocketFrameBoundary {

    private final byte[] header = new byte[14];
    private int headerLength;   // header bytes collected for the frame being read
    private long payloadLeft;   // payload bytes still to pass before the frame ends

    boolean atBoundary() {
        return headerLength == 0 && payloadLeft == 0;
    }

    /**
     * Passes over {@code length} bytes of {@code buf} from {@code index}. With
     * {@code stopAtFrameEnd}, stops at the first frame end reached and returns how many bytes
     * that took; otherwise (or when no frame ends in the range) returns {@code length}.
     */
    int advance(ByteBuf buf, int index, int length, boolean stopAtFrameEnd) {
        int pos = index;
        int end = index + length;
        while (pos < end) {
            if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, end - pos);
                pos += skip;
                payloadLeft -= skip;
            } else {
                header[headerLength++] = buf.getByte(pos++);
                long payload = payloadLengthIfHeaderComplete();
                if (payload < 0) {
                    continue;
                }
                headerLength = 0;
                payloadLeft = payload;
            }
            if (stopAtFrameEnd && atBoundary()) {
                return pos - index;
            }
        }
        return length;
    }

    /** The payload length once the whole header is in, else -1. */
    private long payloadLengthIfHeaderComplete() {
        if (headerLength < 2) {
            return -1;
        }
        boolean masked = (header[1] & 0x80) != 0;
        int len7 = header[1] & 0x7f;
        int extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        int total = 2 + extended + (masked ? 4 : 0);
        if (headerLength < total) {
            return -1;
        }
        long payload = len7;
        if (extended > 0) {
            payload = 0;
            for (int i = 0; i < extended; i++) {
                payload = (payload << 8) | (header[2 + i] & 0xff);
            }
        }
        return payload;
    }

    /** A close frame with status 1001 (going away), from the server side: unmasked. */
    static byte[] closeFrameToClient() {
        return new byte[] {(byte) 0x88, 0x02, 0x03, (byte) 0xE9};
    }

    /** The same close frame toward the app: frames from a client must be masked. */
    static byte[] closeFrameToServer(int maskKey) {
        byte[] mask = {(byte) (maskKey >>> 24), (byte) (maskKey >>> 16), (byte) (maskKey >>> 8), (byte) maskKey};
        return new byte[] {(byte) 0x88, (byte) 0x82, mask[0], mask[1], mask[2], mask[3],
                (byte) (0x03 ^ mask[0]), (byte) (0xE9 ^ mask[1])};
    }
}
