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
final class ResponseReader implements BodyReader.Sink {

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

    private enum State { HEAD, BODY, RAW, DONE }
    private static final byte[] CONNECTION = bytes("connection");
    private static final byte[] CONTENT_LENGTH = bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
    private static final byte[] KEEP_ALIVE = bytes("keep-alive");
    private static final byte[] PROXY_CONNECTION = bytes("proxy-connection");
    private static final byte[] TE = bytes("te");
    private static final byte[] TRAILER = bytes("trailer");
    private static final byte[] UPGRADE = bytes("upgrade");
    private static final byte[] CHUNKED = bytes("chunked");

    private final int maxHeadSize;
    private final ResponseHead head = new ResponseHead();
    private final BodyReader body;
    private Listener listener;
    private State state = State.DONE;
    private boolean headRequest;
    private ByteBuf partial;   // bytes of a line or head that has not ended yet
    private ByteBuf reading;   // the bytes being read, to tell whether anything follows the end

    ResponseReader(int maxHeadSize) {
        this.maxHeadSize = maxHeadSize;
        this.body = new BodyReader(maxHeadSize, false);
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

    /** The connection closed: ends a body delimited by the close; otherwise the listener hears of the close itself. */
    void endOfInput() {
        if (state == State.BODY && body.untilClose() && listener != null) {
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
        body.reset();
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
        reading = src;
        try {
            boolean more = true;
            while (more && src.isReadable()) {
                more = switch (state) {
                    case HEAD -> readHead(src);
                    case BODY -> !body.read(src, this);
                    case RAW -> {
                        listener.onBody(src.retainedSlice());
                        src.skipBytes(src.readableBytes());
                        yield false;
                    }
                    // Bytes after the end of a response: not ours to relay; the connection is not reused.
                    case DONE -> {
                        src.skipBytes(src.readableBytes());
                        yield false;
                    }
                };
            }
            if (src.isReadable() && (state == State.HEAD || state == State.BODY)) {
                keepPartial(src); // a head or a chunk line that has not ended yet
            }
        } finally {
            reading = null;
            src.release();
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
                return false; // the rest of the head is still to come
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
                    return malformed("its status line is not HTTP/1.x: '" + HttpBytes.printable(src, lineStart, lineEnd) + "'");
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
                    return malformed("a header line is not 'name: value': '" + HttpBytes.printable(src, lineStart, lineEnd) + "'");
                }
                int valueStart = HttpBytes.skipWhitespace(src, colon + 1, lineEnd);
                int valueEnd = HttpBytes.trimWhitespace(src, valueStart, lineEnd);
                int kind = ResponseHead.KEEP;
                switch (colon - lineStart) {
                    case 2, 7, 10, 16 -> {
                        if (HttpBytes.is(src, lineStart, colon, CONNECTION)) {
                            kind = ResponseHead.DROP;
                            int tokens = head.lines.readConnection(src, valueStart, valueEnd);
                            closeToken |= (tokens & HeaderLines.CLOSE) != 0;
                            keepAliveToken |= (tokens & HeaderLines.KEEP_ALIVE) != 0;
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
                                return malformed("its Content-Length is not one number: '" + HttpBytes.printable(src, valueStart, valueEnd) + "'");
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
                head.lines.add(lineStart, lineEnd, kind);
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
                if (head.contentLength == 0) {
                    end(null, head.keepAlive && !src.isReadable());
                } else {
                    body.expectFixed(head.contentLength);
                    state = State.BODY;
                }
            }
            case CHUNKED -> {
                body.expectChunked();
                state = State.BODY;
            }
            case UNTIL_CLOSE -> {
                body.expectUntilClose();
                state = State.BODY;
            }
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

    @Override
    public void onBody(ByteBuf content) {
        if (listener == null) {
            content.release();
            return;
        }
        listener.onBody(content);
    }

    @Override
    public void onEnd(ByteBuf trailers) {
        end(trailers, head.keepAlive && (reading == null || !reading.isReadable()));
    }

    @Override
    public void onMalformed(String why) {
        malformed(why);
    }

    private void end(ByteBuf trailerLines, boolean reusable) {
        state = State.DONE;
        Listener current = listener;
        listener = null;
        if (current != null) {
            current.onEnd(trailerLines, reusable);
        } else if (trailerLines != null) {
            trailerLines.release();
        }
    }

    // ------------------------------------------------------------------ helpers

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

    private static byte[] bytes(String lowerCase) {
        return lowerCase.getBytes(StandardCharsets.US_ASCII);
    }
}
