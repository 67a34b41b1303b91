package dev.cutover.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;

/**
 * Reads what an app sends on one upstream connection, in place: the response head (see
 * {@link ResponseHead}), then the body as slices of the bytes that came in, then the end. Nothing
 * is decoded into objects; the proxy relays the bytes it keeps.
 *
 * <p>Framing follows RFC 9112 section 6.3: no body after a HEAD request, a 1xx, 204 or 304;
 * chunked when Transfer-Encoding ends in chunked; until the close when it ends in anything else or
 * when there is neither Transfer-Encoding nor Content-Length. A head that breaks the syntax (a bad
 * status line, a header without a colon or with space before it, a folded line, a bare CR,
 * differing Content-Lengths) is reported as malformed and nothing of it is relayed.
 *
 * <p>Interim responses (1xx) come as heads of their own, followed by the final one. After a 101
 * everything that follows is relayed as body until the connection closes.
 */
final class ResponseReader {

    /** What a reader tells its exchange; every call happens on the connection's event loop. */
    interface Listener {

        /** A head, interim or final; {@code head} is valid only during the call. */
        void onHead(ResponseHead head);

        /** Body bytes (for chunked bodies, the chunk data only); the listener owns {@code content}. */
        void onBody(ByteBuf content);

        /**
         * The response is complete. {@code trailers}: the trailer lines of a chunked body, each
         * ending in CRLF, owned by the listener; null when there are none. {@code reusable}: the
         * connection may carry another request.
         */
        void onEnd(ByteBuf trailers, boolean reusable);

        /** The app broke the protocol; nothing more comes from this connection. */
        void onMalformed(String why);
    }

    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, RAW, DONE }

    private static final int MAX_CHUNK_LINE = 4096;
    private static final byte[] CONNECTION = bytes("connection");
    private static final byte[] CONTENT_LENGTH = bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
    private static final byte[] KEEP_ALIVE = bytes("keep-alive");
    private static final byte[] PROXY_CONNECTION = bytes("proxy-connection");
    private static final byte[] TE = bytes("te");
    private static final byte[] TRAILER = bytes("trailer");
    private static final byte[] UPGRADE = bytes("upgrade");
    private static final byte[] CLOSE = bytes("close");
    private static final byte[] CHUNKED = bytes("chunked");

    private final int maxHeadSize;
    private final ResponseHead head = new ResponseHead();
    private Listener listener;
    private State state = State.DONE;
    private boolean headRequest;
    private long remaining;
    private ByteBuf partial;   // bytes of a line or head that has not ended yet
    private ByteBuf trailers;

    ResponseReader(int maxHeadSize) {
        this.maxHeadSize = maxHeadSize;
    }

    /** Expects the response to a request just sent; {@code headRequest}: it was a HEAD, so no body follows. */
    void expect(Listener listener, boolean headRequest) {
        discard();
        this.listener = listener;
        this.headRequest = headRequest;
        this.state = State.HEAD;
    }

    /** Relays everything from now on as body: the connection was upgraded. */
    void switchToRaw() {
        state = State.RAW;
    }

    boolean awaitingClose() {
        return state == State.UNTIL_CLOSE;
    }

    /** The connection closed: ends a body delimited by the close; otherwise the listener hears of the close itself. */
    void endOfInput() {
        if (state == State.UNTIL_CLOSE && listener != null) {
            end(null, false);
        }
        stop();
    }

    /** Stops telling anyone anything: the exchange let go of the connection. */
    void stop() {
        listener = null;
        state = State.DONE;
        discard();
    }

    /** Forgets what is buffered (the connection is closing or starts over). */
    void discard() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
        if (trailers != null) {
            trailers.release();
            trailers = null;
        }
    }

    /** Reads {@code in}, which it owns from here on. */
    void read(ByteBuf in) {
        ByteBuf src = in;
        if (partial != null) {
            src = partial;
            partial = null;
            src.writeBytes(in);
            in.release();
        }
        try {
            while (src.isReadable() && step(src)) {
                // each step consumes what it can and says whether to go on
            }
        } finally {
            src.release();
        }
    }

    /** One step of the state machine; false when it needs more bytes or must stop. */
    private boolean step(ByteBuf src) {
        switch (state) {
            case HEAD:
                return readHead(src);
            case FIXED:
                return readFixed(src);
            case CHUNK_SIZE:
                return readChunkSize(src);
            case CHUNK_DATA:
                return readChunkData(src);
            case CHUNK_END:
                return readChunkEnd(src);
            case TRAILERS:
                return readTrailers(src);
            case UNTIL_CLOSE:
            case RAW:
                listener.onBody(src.retainedSlice());
                src.skipBytes(src.readableBytes());
                return false;
            default:
                // Bytes after the end of a response: not ours to relay; the connection is not reused.
                src.skipBytes(src.readableBytes());
                return false;
        }
    }

    // ------------------------------------------------------------------ head

    private boolean readHead(ByteBuf src) {
        int start = src.readerIndex();
        int limit = src.writerIndex();
        head.reset(src);
        int lineStart = start;
        int lineNumber = 0;
        boolean closeToken = false;
        boolean keepAliveToken = false;
        boolean transferEncoding = false;
        boolean chunkedLast = false;
        while (true) {
            int lf = src.indexOf(lineStart, limit, (byte) '\n');
            if (lf < 0) {
                if (limit - start > maxHeadSize) {
                    return malformed("its headers are larger than " + maxHeadSize + " bytes");
                }
                keepPartial(src);
                return false;
            }
            if (lf - start > maxHeadSize) {
                return malformed("its headers are larger than " + maxHeadSize + " bytes");
            }
            int lineEnd = lf > lineStart && src.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            if (src.indexOf(lineStart, lineEnd, (byte) '\r') >= 0 || src.indexOf(lineStart, lineEnd, (byte) 0) >= 0) {
                return malformed("a line of its head holds a bare CR or a NUL byte");
            }
            if (lineNumber++ == 0) {
                if (!readStatusLine(src, lineStart, lineEnd)) {
                    return malformed("its status line is not HTTP/1.x: '" + printable(src, lineStart, lineEnd) + "'");
                }
            } else if (lineEnd == lineStart) {
                src.readerIndex(lf + 1);
                break;
            } else {
                if (HttpBytes.isWhitespace(src.getByte(lineStart))) {
                    return malformed("it folds a header over two lines (obsolete line folding)");
                }
                int colon = src.indexOf(lineStart, lineEnd, (byte) ':');
                if (colon < 0 || !HttpBytes.isToken(src, lineStart, colon)) {
                    return malformed("a header line is not 'name: value': '" + printable(src, lineStart, lineEnd) + "'");
                }
                int valueStart = HttpBytes.skipWhitespace(src, colon + 1, lineEnd);
                int valueEnd = HttpBytes.trimWhitespace(src, valueStart, lineEnd);
                int kind = ResponseHead.KEEP;
                switch (colon - lineStart) {
                    case 2, 7, 10, 16 -> {
                        if (HttpBytes.is(src, lineStart, colon, CONNECTION)) {
                            kind = ResponseHead.DROP;
                            int token = valueStart;
                            while (token < valueEnd) {
                                int comma = src.indexOf(token, valueEnd, (byte) ',');
                                int tokenEnd = comma < 0 ? valueEnd : comma;
                                int ts = HttpBytes.skipWhitespace(src, token, tokenEnd);
                                int te = HttpBytes.trimWhitespace(src, ts, tokenEnd);
                                if (HttpBytes.is(src, ts, te, CLOSE)) {
                                    closeToken = true;
                                } else if (HttpBytes.is(src, ts, te, KEEP_ALIVE)) {
                                    keepAliveToken = true;
                                } else if (te > ts && !HttpBytes.is(src, ts, te, UPGRADE)) {
                                    head.addConnectionName(ts, te);
                                }
                                token = tokenEnd + 1;
                            }
                        } else if (HttpBytes.is(src, lineStart, colon, KEEP_ALIVE) || HttpBytes.is(src, lineStart, colon, TE)
                                || HttpBytes.is(src, lineStart, colon, TRAILER) || HttpBytes.is(src, lineStart, colon, PROXY_CONNECTION)) {
                            kind = ResponseHead.DROP;
                        } else if (HttpBytes.is(src, lineStart, colon, UPGRADE)) {
                            kind = ResponseHead.UPGRADE;
                        }
                    }
                    case 14 -> {
                        if (HttpBytes.is(src, lineStart, colon, CONTENT_LENGTH)) {
                            kind = ResponseHead.CONTENT_LENGTH;
                            long length = HttpBytes.decimal(src, valueStart, valueEnd);
                            if (length < 0 || (head.contentLength >= 0 && head.contentLength != length)) {
                                return malformed("its Content-Length is not one number: '" + printable(src, valueStart, valueEnd) + "'");
                            }
                            head.contentLength = length;
                        }
                    }
                    case 17 -> {
                        if (HttpBytes.is(src, lineStart, colon, TRANSFER_ENCODING)) {
                            kind = ResponseHead.DROP;
                            transferEncoding = true;
                            int comma = lastIndexOf(src, valueStart, valueEnd, (byte) ',');
                            int ts = HttpBytes.skipWhitespace(src, comma < 0 ? valueStart : comma + 1, valueEnd);
                            chunkedLast = HttpBytes.is(src, ts, valueEnd, CHUNKED);
                        }
                    }
                    default -> {
                    }
                }
                head.addLine(lineStart, lineEnd, kind);
            }
            lineStart = lf + 1;
        }
        int status = head.status;
        if (status < 200 || headRequest || status == 204 || status == 304) {
            head.framing = ResponseHead.Framing.NONE;
        } else if (transferEncoding) {
            head.framing = chunkedLast ? ResponseHead.Framing.CHUNKED : ResponseHead.Framing.UNTIL_CLOSE;
        } else if (head.contentLength >= 0) {
            head.framing = ResponseHead.Framing.FIXED;
        } else {
            head.framing = ResponseHead.Framing.UNTIL_CLOSE;
        }
        boolean keepAlive = head.http11 ? !closeToken : keepAliveToken && !closeToken;
        // Both framings at once, or chunked from an HTTP/1.0 app: relay it, but trust nothing after it.
        boolean ambiguous = transferEncoding && (head.contentLength >= 0 || !head.http11);
        head.keepAlive = keepAlive && !ambiguous && head.framing != ResponseHead.Framing.UNTIL_CLOSE;

        Listener current = listener;
        current.onHead(head);
        head.bytes = null;
        if (listener != current || state != State.HEAD) {
            return state == State.RAW && listener == current; // an upgrade goes on relaying; anything else stopped
        }
        if (status < 200) {
            return true; // an interim response: the next head follows
        }
        switch (head.framing) {
            case NONE -> end(null, head.keepAlive && !src.isReadable());
            case FIXED -> {
                remaining = head.contentLength;
                state = State.FIXED;
                if (remaining == 0) {
                    end(null, head.keepAlive && !src.isReadable());
                }
            }
            case CHUNKED -> state = State.CHUNK_SIZE;
            case UNTIL_CLOSE -> state = State.UNTIL_CLOSE;
        }
        return state != State.DONE;
    }

    private boolean readStatusLine(ByteBuf src, int start, int end) {
        // HTTP/1.x SP 3DIGIT [SP reason]
        if (end - start < 12 || src.getByte(start) != 'H' || src.getByte(start + 1) != 'T' || src.getByte(start + 2) != 'T'
                || src.getByte(start + 3) != 'P' || src.getByte(start + 4) != '/' || src.getByte(start + 5) != '1'
                || src.getByte(start + 6) != '.' || src.getByte(start + 8) != ' ') {
            return false;
        }
        byte minor = src.getByte(start + 7);
        if (minor != '0' && minor != '1') {
            return false;
        }
        long status = HttpBytes.decimal(src, start + 9, start + 12);
        if (status < 100 || status > 599 || (end > start + 12 && src.getByte(start + 12) != ' ')) {
            return false;
        }
        head.http11 = minor == '1';
        head.status = (int) status;
        head.statusStart = start + 9;
        head.statusEnd = end;
        return true;
    }

    // ------------------------------------------------------------------ bodies

    private boolean readFixed(ByteBuf src) {
        int n = (int) Math.min(remaining, src.readableBytes());
        remaining -= n;
        relay(src, n);
        if (remaining == 0 && state == State.FIXED) {
            end(null, head.keepAlive && !src.isReadable());
        }
        return state == State.FIXED;
    }

    private boolean readChunkSize(ByteBuf src) {
        int lf = lineEnd(src, MAX_CHUNK_LINE, "a chunk size line is longer than " + MAX_CHUNK_LINE + " bytes");
        if (lf < 0) {
            return false;
        }
        int start = src.readerIndex();
        int end = start;
        long size = 0;
        while (end < lf) {
            int digit = Character.digit(src.getByte(end), 16);
            if (digit < 0) {
                break;
            }
            if (size > (Long.MAX_VALUE >> 4)) {
                return malformed("a chunk size is too large");
            }
            size = size * 16 + digit;
            end++;
        }
        byte after = src.getByte(end);
        if (end == start || (after != ';' && after != '\r' && after != '\n' && !HttpBytes.isWhitespace(after))) {
            int lineEnd = src.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            return malformed("a chunk size is not hexadecimal: '" + printable(src, start, lineEnd) + "'");
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

    private boolean readChunkData(ByteBuf src) {
        int n = (int) Math.min(remaining, src.readableBytes());
        remaining -= n;
        relay(src, n);
        if (remaining == 0 && state == State.CHUNK_DATA) {
            state = State.CHUNK_END;
        }
        return state == State.CHUNK_END;
    }

    private boolean readChunkEnd(ByteBuf src) {
        int lf = lineEnd(src, 2, "a chunk's data is longer than its size says");
        if (lf < 0) {
            return false;
        }
        int start = src.readerIndex();
        if (lf != start && !(lf == start + 1 && src.getByte(start) == '\r')) {
            return malformed("a chunk's data is longer than its size says");
        }
        src.readerIndex(lf + 1);
        state = State.CHUNK_SIZE;
        return true;
    }

    private boolean readTrailers(ByteBuf src) {
        while (true) {
            int used = trailers == null ? 0 : trailers.readableBytes();
            int lf = lineEnd(src, maxHeadSize - used, "its trailers are larger than " + maxHeadSize + " bytes");
            if (lf < 0) {
                return false;
            }
            int start = src.readerIndex();
            int end = lf > start && src.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            src.readerIndex(lf + 1);
            if (end == start) {
                ByteBuf lines = trailers;
                trailers = null;
                end(lines, head.keepAlive && !src.isReadable());
                return false;
            }
            if (trailers == null) {
                trailers = src.alloc().buffer(end - start + 2);
            }
            trailers.writeBytes(src, start, end - start).writeByte('\r').writeByte('\n');
        }
    }

    private void relay(ByteBuf src, int n) {
        if (n > 0) {
            ByteBuf content = src.retainedSlice(src.readerIndex(), n);
            src.skipBytes(n);
            listener.onBody(content);
        }
    }

    private void end(ByteBuf trailerLines, boolean reusable) {
        state = State.DONE;
        Listener current = listener;
        listener = null;
        current.onEnd(trailerLines, reusable);
    }

    // ------------------------------------------------------------------ helpers

    /** The index of the LF ending the line at the reader index, or -1 if it has not arrived (the bytes are kept). */
    private int lineEnd(ByteBuf src, int max, String tooLong) {
        int lf = src.indexOf(src.readerIndex(), src.writerIndex(), (byte) '\n');
        if (lf < 0 || lf - src.readerIndex() > max) {
            if (src.readableBytes() > max) {
                malformed(tooLong);
                return -1;
            }
            keepPartial(src);
            return -1;
        }
        return lf;
    }

    /** Keeps the unread bytes of {@code src} for the next read. */
    private void keepPartial(ByteBuf src) {
        partial = src.alloc().buffer(Math.max(256, src.readableBytes() * 2));
        partial.writeBytes(src);
    }

    private boolean malformed(String why) {
        state = State.DONE;
        discard();
        Listener current = listener;
        listener = null;
        if (current != null) {
            current.onMalformed(why);
        }
        return false;
    }

    private static int lastIndexOf(ByteBuf buf, int start, int end, byte value) {
        for (int i = end - 1; i >= start; i--) {
            if (buf.getByte(i) == value) {
                return i;
            }
        }
        return -1;
    }

    /** Up to 80 characters of a bad line, for the error message. */
    private static String printable(ByteBuf buf, int start, int end) {
        StringBuilder text = new StringBuilder();
        for (int i = start; i < Math.min(end, start + 80); i++) {
            char c = (char) (buf.getByte(i) & 0xFF);
            text.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return text.toString();
    }

    private static byte[] bytes(String lowerCase) {
        return lowerCase.getBytes(StandardCharsets.US_ASCII);
    }
}
