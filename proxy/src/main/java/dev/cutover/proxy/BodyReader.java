package dev.cutover.proxy;

import io.netty.buffer.ByteBuf;

/**
 * A message body read in place (RFC 9112 sections 6 and 7): Content-Length bytes, chunks with
 * their trailers, or everything until the connection closes. The data goes out as slices of the
 * bytes that came in; chunk framing is checked and taken off, so whoever writes the body on
 * chooses its framing for the next hop.
 *
 * <p>A line that has not ended yet (a chunk size, a trailer) is left unread in the buffer: the
 * owner keeps those bytes and calls again with more.
 */
final class BodyReader {

    /** Where the body goes; every call on the connection's event loop. */
    interface Sink {

        /** Body data; the sink owns {@code content}. */
        void onBody(ByteBuf content);

        /** The body is complete; {@code trailers}: its trailer lines, each ending in CRLF, owned by the sink, or null. */
        void onEnd(ByteBuf trailers);

        /** The framing is broken; nothing more is read. */
        void onMalformed(String why);
    }

    private enum State { IDLE, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE }

    private static final int MAX_CHUNK_LINE = 4096;

    private final int maxTrailerSize;
    private final boolean strictLineEnds;
    private State state = State.IDLE;
    private long remaining;
    private ByteBuf trailers;

    /** {@code strictLineEnds}: chunk lines must end in CRLF (requests); otherwise a bare LF is taken too (apps). */
    BodyReader(int maxTrailerSize, boolean strictLineEnds) {
        this.maxTrailerSize = maxTrailerSize;
        this.strictLineEnds = strictLineEnds;
    }

    void expectFixed(long length) {
        state = State.FIXED;
        remaining = length;
    }

    void expectChunked() {
        state = State.CHUNK_SIZE;
    }

    void expectUntilClose() {
        state = State.UNTIL_CLOSE;
    }

    boolean untilClose() {
        return state == State.UNTIL_CLOSE;
    }

    /** Forgets the body (it ended, broke, or nobody wants it any more). */
    void reset() {
        state = State.IDLE;
        if (trailers != null) {
            trailers.release();
            trailers = null;
        }
    }

    /**
     * Reads what it can of the body from {@code src}. True when it is done with this body (the sink
     * heard of its end or its breakage); false when it needs more bytes.
     */
    boolean read(ByteBuf src, Sink sink) {
        while (true) {
            switch (state) {
                case IDLE:
                    return true;
                case FIXED: {
                    int n = (int) Math.min(remaining, src.readableBytes());
                    remaining -= n;
                    if (!relay(src, n, sink)) {
                        return true;
                    }
                    if (remaining > 0) {
                        return false;
                    }
                    return end(null, sink);
                }
                case UNTIL_CLOSE:
                    relay(src, src.readableBytes(), sink);
                    return state == State.IDLE;
                case CHUNK_SIZE:
                    if (!readChunkSize(src, sink)) {
                        return state == State.IDLE;
                    }
                    break;
                case CHUNK_DATA: {
                    int n = (int) Math.min(remaining, src.readableBytes());
                    remaining -= n;
                    if (!relay(src, n, sink)) {
                        return true;
                    }
                    if (remaining > 0) {
                        return false;
                    }
                    state = State.CHUNK_END;
                    break;
                }
                case CHUNK_END: {
                    int lf = lineEnd(src, 2, "a chunk's data is longer than its size says", sink);
                    if (lf < 0) {
                        return state == State.IDLE;
                    }
                    if (contentEnd(src, lf) != src.readerIndex()) {
                        return malformed("a chunk's data is longer than its size says", sink);
                    }
                    src.readerIndex(lf + 1);
                    state = State.CHUNK_SIZE;
                    break;
                }
                case TRAILERS:
                    if (!readTrailer(src, sink)) {
                        return state == State.IDLE;
                    }
                    if (state == State.IDLE) {
                        return true;
                    }
                    break;
                default:
                    throw new IllegalStateException(state.name());
            }
        }
    }

    /** Reads a chunk size line; false if it has not ended yet or was malformed. */
    private boolean readChunkSize(ByteBuf src, Sink sink) {
        int lf = lineEnd(src, MAX_CHUNK_LINE, "a chunk size line is longer than " + MAX_CHUNK_LINE + " bytes", sink);
        if (lf < 0) {
            return false;
        }
        int start = src.readerIndex();
        int end = contentEnd(src, lf);
        if (end < 0) {
            malformed("a chunk size line ends in a bare LF", sink);
            return false;
        }
        int i = start;
        long size = 0;
        while (i < end) {
            int digit = Character.digit(src.getByte(i), 16);
            if (digit < 0) {
                break;
            }
            if (size > (Long.MAX_VALUE >> 4)) {
                malformed("a chunk size is too large", sink);
            return false;
            }
            size = size * 16 + digit;
            i++;
        }
        if (i == start || (i < end && src.getByte(i) != ';' && !HttpBytes.isWhitespace(src.getByte(i)))) {
            malformed("a chunk size is not hexadecimal: '" + HttpBytes.printable(src, start, end) + "'", sink);
            return false;
        }
        src.readerIndex(lf + 1);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    /** Reads one trailer line (or the empty line that ends them); false if it has not ended yet or was malformed. */
    private boolean readTrailer(ByteBuf src, Sink sink) {
        int used = trailers == null ? 0 : trailers.readableBytes();
        int lf = lineEnd(src, maxTrailerSize - used, "the trailers are larger than " + maxTrailerSize + " bytes", sink);
        if (lf < 0) {
            return false;
        }
        int start = src.readerIndex();
        int end = contentEnd(src, lf);
        if (end < 0) {
            malformed("a trailer line ends in a bare LF", sink);
            return false;
        }
        src.readerIndex(lf + 1);
        if (end == start) {
            ByteBuf lines = trailers;
            trailers = null;
            end(lines, sink);
            return true;
        }
        if (HttpBytes.isWhitespace(src.getByte(start)) || src.indexOf(start, end, (byte) ':') <= start
                || src.indexOf(start, end, (byte) '\r') >= 0) {
            malformed("a trailer line is not 'name: value': '" + HttpBytes.printable(src, start, end) + "'", sink);
            return false;
        }
        if (trailers == null) {
            trailers = src.alloc().buffer(end - start + 2);
        }
        trailers.writeBytes(src, start, end - start).writeByte('\r').writeByte('\n');
        return true;
    }

    /** Hands {@code n} bytes to the sink; false if the sink let go of this body meanwhile. */
    private boolean relay(ByteBuf src, int n, Sink sink) {
        if (n > 0) {
            ByteBuf content = src.retainedSlice(src.readerIndex(), n);
            src.skipBytes(n);
            sink.onBody(content);
        }
        return state != State.IDLE;
    }

    private boolean end(ByteBuf trailerLines, Sink sink) {
        state = State.IDLE;
        sink.onEnd(trailerLines);
        return true;
    }

    private boolean malformed(String why, Sink sink) {
        reset();
        sink.onMalformed(why);
        return true;
    }

    /**
     * The index of the LF ending the line at the reader index; -1 if it has not arrived (the bytes
     * stay unread) or the line is longer than {@code max} (the sink was told).
     */
    private int lineEnd(ByteBuf src, int max, String tooLong, Sink sink) {
        int lf = src.indexOf(src.readerIndex(), src.writerIndex(), (byte) '\n');
        if (lf < 0 ? src.readableBytes() > max : lf - src.readerIndex() > max) {
            malformed(tooLong, sink);
            return -1;
        }
        return lf;
    }

    /** Where the line ending at {@code lf} ends without its CR; -1 for a bare LF where CRLF is required. */
    private int contentEnd(ByteBuf src, int lf) {
        if (lf > src.readerIndex() && src.getByte(lf - 1) == '\r') {
            return lf - 1;
        }
        return strictLineEnds ? -1 : lf;
    }
}
