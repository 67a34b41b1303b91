package dev.cutover.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Reads a client's requests in place, one at a time: the head (see {@link RequestHead}), then,
 * when asked, the body. Strict where a lenient reading would let a request mean one thing here
 * and another to the app (RFC 9112 section 11.2, request smuggling): lines end in CRLF; no space
 * before a header's colon; no folded lines; no control characters; exactly one Host on HTTP/1.1;
 * at most one Content-Length, and only digits; Transfer-Encoding only as one "chunked", only on
 * HTTP/1.1, and never together with Content-Length. Anything else is rejected with its status
 * (400, 414 for a long request line, 431 for large headers) before a byte goes to the app.
 *
 * <p>The reader stops after each head and after each request's end; the connection decides when
 * to go on (after the head went to the app; after the response). Bytes it has not read yet stay
 * in the buffer it was given.
 */
final class RequestReader implements BodyReader.Sink {

    /** What a reader tells its connection; every call on the connection's event loop. */
    interface Listener {

        /** A request head; {@code head} is valid only during the call. */
        void onRequestHead(RequestHead head);

        /** Body data; the listener owns {@code content}. */
        void onRequestBody(ByteBuf content);

        /** The body is complete; {@code trailers}: its trailer lines (each ending in CRLF, owned by the listener) or null. */
        void onRequestEnd(ByteBuf trailers);

        /** The request is broken: answer {@code status} and close; nothing more is read. */
        void onRequestRejected(HttpResponseStatus status, String sentence);
    }

    /** What a call to {@link #read} left for the caller to do. */
    enum Progress {
        /** Stopped at a head or a request's end (or a rejection): wait to be asked again. */
        PAUSED,
        /** Needs more bytes before it can say anything. */
        NEEDS_BYTES,
        /** Handed body data over; whether to read on is the listener's call. */
        DELIVERED
    }

    private enum State { HEAD, BODY, ENDED, REJECTED }

    private static final int MAX_LEADING_EMPTY_LINES = 8;
    private static final byte[] HOST = bytes("host");
    private static final byte[] CONTENT_LENGTH = bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = bytes("transfer-encoding");
    private static final byte[] CONNECTION = bytes("connection");
    private static final byte[] KEEP_ALIVE = bytes("keep-alive");
    private static final byte[] PROXY_CONNECTION = bytes("proxy-connection");
    private static final byte[] TE = bytes("te");
    private static final byte[] TRAILER = bytes("trailer");
    private static final byte[] UPGRADE = bytes("upgrade");
    private static final byte[] X_FORWARDED_FOR = bytes("x-forwarded-for");
    private static final byte[] X_FORWARDED_PROTO = bytes("x-forwarded-proto");
    private static final byte[] X_FORWARDED_HOST = bytes("x-forwarded-host");
    private static final byte[] VIA = bytes("via");
    private static final byte[] CHUNKED = bytes("chunked");
    private static final byte[] WEBSOCKET = bytes("websocket");

    private final int maxInitialLineLength;
    private final int maxHeaderSize;
    private final Listener listener;
    private final RequestHead head = new RequestHead();
    private final BodyReader body;
    private State state = State.HEAD;
    private boolean delivered;

    RequestReader(int maxInitialLineLength, int maxHeaderSize, Listener listener) {
        this.maxInitialLineLength = maxInitialLineLength;
        this.maxHeaderSize = maxHeaderSize;
        this.listener = listener;
        this.body = new BodyReader(maxHeaderSize, true);
    }

    /** After a request's end: the next bytes are the next request's head. */
    void next() {
        if (state == State.ENDED) {
            state = State.HEAD;
        }
    }

    /** The connection is closing or leaving HTTP: forgets any body in progress. */
    void stop() {
        body.reset();
        state = State.REJECTED;
    }

    /** Reads from {@code src} (which the caller keeps, with whatever is left unread). */
    Progress read(ByteBuf src) {
        return switch (state) {
            case HEAD -> readHead(src);
            case BODY -> {
                delivered = false;
                boolean done = body.read(src, this);
                yield done ? Progress.PAUSED : delivered ? Progress.DELIVERED : Progress.NEEDS_BYTES;
            }
            case ENDED, REJECTED -> Progress.PAUSED;
        };
    }

    // ------------------------------------------------------------------ head

    private Progress readHead(ByteBuf src) {
        int limit = src.writerIndex();
        int start = src.readerIndex();
        // A client may send empty lines before a request (after a body, say): RFC 9112 section 2.2.
        for (int i = 0; i < MAX_LEADING_EMPTY_LINES && start + 1 < limit
                && src.getByte(start) == '\r' && src.getByte(start + 1) == '\n'; i++) {
            start += 2;
        }
        src.readerIndex(start);
        int lf = src.indexOf(start, Math.min(limit, start + maxInitialLineLength + 2), (byte) '\n');
        if (lf < 0) {
            if (limit - start > maxInitialLineLength + 1) {
                return reject(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is longer than " + maxInitialLineLength + " bytes");
            }
            return Progress.NEEDS_BYTES;
        }
        int lineEnd = crlfEnd(src, start, lf);
        if (lineEnd < 0) {
            return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: its lines must end in CRLF");
        }
        head.reset(src);
        if (!readRequestLine(src, start, lineEnd)) {
            return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: the request line is not 'METHOD target HTTP/1.x': '"
                    + HttpBytes.printable(src, start, lineEnd) + "'");
        }
        int headersStart = lf + 1;
        int lineStart = headersStart;
        int hosts = 0;
        int connection = 0;
        boolean transferEncoding = false;
        boolean upgradeHeader = false;
        while (true) {
            lf = src.indexOf(lineStart, Math.min(limit, headersStart + maxHeaderSize + 2), (byte) '\n');
            if (lf < 0) {
                if (limit - headersStart > maxHeaderSize + 1) {
                    return reject(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                            "the request headers are larger than " + maxHeaderSize + " bytes");
                }
                src.readerIndex(start);
                return Progress.NEEDS_BYTES;
            }
            lineEnd = crlfEnd(src, lineStart, lf);
            if (lineEnd < 0) {
                return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: its lines must end in CRLF");
            }
            if (lineEnd == lineStart) {
                src.readerIndex(lf + 1);
                break;
            }
            if (HttpBytes.isWhitespace(src.getByte(lineStart))) {
                return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: a header is folded over two lines");
            }
            int colon = src.indexOf(lineStart, lineEnd, (byte) ':');
            if (colon < 0 || !HttpBytes.isToken(src, lineStart, colon)) {
                return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: a header line is not 'name: value': '"
                        + HttpBytes.printable(src, lineStart, lineEnd) + "'");
            }
            int valueStart = HttpBytes.skipWhitespace(src, colon + 1, lineEnd);
            int valueEnd = HttpBytes.trimWhitespace(src, valueStart, lineEnd);
            if (HttpBytes.hasControlCharacter(src, valueStart, valueEnd)) {
                return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: the value of "
                        + HttpBytes.printable(src, lineStart, colon) + " holds a control character");
            }
            int kind = RequestHead.KEEP;
            switch (colon - lineStart) {
                case 2, 3, 4, 7, 10, 16 -> {
                    if (HttpBytes.is(src, lineStart, colon, HOST)) {
                        hosts++;
                        head.hostStart = valueStart;
                        head.hostEnd = valueEnd;
                    } else if (HttpBytes.is(src, lineStart, colon, CONNECTION)) {
                        kind = RequestHead.DROP;
                        connection |= head.lines.readConnection(src, valueStart, valueEnd);
                    } else if (HttpBytes.is(src, lineStart, colon, UPGRADE)) {
                        kind = RequestHead.UPGRADE;
                        upgradeHeader = true;
                        head.webSocket |= HttpBytes.containsIgnoreCase(src, valueStart, valueEnd, WEBSOCKET);
                    } else if (HttpBytes.is(src, lineStart, colon, VIA)) {
                        kind = RequestHead.VIA;
                    } else if (HttpBytes.is(src, lineStart, colon, X_FORWARDED_HOST)) {
                        kind = RequestHead.X_FORWARDED_HOST;
                    } else if (HttpBytes.is(src, lineStart, colon, KEEP_ALIVE) || HttpBytes.is(src, lineStart, colon, TE)
                            || HttpBytes.is(src, lineStart, colon, TRAILER) || HttpBytes.is(src, lineStart, colon, PROXY_CONNECTION)) {
                        kind = RequestHead.DROP;
                    }
                }
                case 14 -> {
                    if (HttpBytes.is(src, lineStart, colon, CONTENT_LENGTH)) {
                        long length = HttpBytes.decimal(src, valueStart, valueEnd);
                        if (length < 0) {
                            return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: Content-Length '"
                                    + HttpBytes.printable(src, valueStart, valueEnd) + "' is not a number");
                        }
                        if (head.contentLength >= 0) {
                            return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: more than one Content-Length");
                        }
                        head.contentLength = length;
                    }
                }
                case 15 -> {
                    if (HttpBytes.is(src, lineStart, colon, X_FORWARDED_FOR)) {
                        kind = RequestHead.X_FORWARDED_FOR;
                    }
                }
                case 17 -> {
                    if (HttpBytes.is(src, lineStart, colon, TRANSFER_ENCODING)) {
                        if (transferEncoding || !HttpBytes.is(src, valueStart, valueEnd, CHUNKED)) {
                            return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: Transfer-Encoding '"
                                    + HttpBytes.printable(src, valueStart, valueEnd) + "' is not supported; only a single chunked is");
                        }
                        transferEncoding = true;
                        kind = RequestHead.DROP;
                    } else if (HttpBytes.is(src, lineStart, colon, X_FORWARDED_PROTO)) {
                        kind = RequestHead.X_FORWARDED_PROTO;
                    }
                }
                default -> {
                }
            }
            head.addLine(lineStart, lineEnd, kind);
            lineStart = lf + 1;
        }
        if (head.http11 ? hosts != 1 : hosts > 1) {
            return reject(HttpResponseStatus.BAD_REQUEST, "an HTTP/1.1 request needs exactly one Host header, this one has " + hosts);
        }
        if (transferEncoding && head.contentLength >= 0) {
            return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: Content-Length together with Transfer-Encoding");
        }
        if (transferEncoding && !head.http11) {
            return reject(HttpResponseStatus.BAD_REQUEST, "malformed request: Transfer-Encoding on an HTTP/1.0 request");
        }
        head.chunked = transferEncoding;
        boolean close = (connection & HeaderLines.CLOSE) != 0;
        head.keepAlive = head.http11 ? !close : (connection & HeaderLines.KEEP_ALIVE) != 0 && !close;
        head.upgradeRequested = upgradeHeader && (connection & HeaderLines.UPGRADE) != 0;
        head.webSocket &= head.upgradeRequested;
        if (head.chunked) {
            body.expectChunked();
            state = State.BODY;
        } else if (head.contentLength > 0) {
            body.expectFixed(head.contentLength);
            state = State.BODY;
        } else {
            state = State.ENDED;
        }
        listener.onRequestHead(head);
        head.bytes = null;
        return Progress.PAUSED;
    }

    /** METHOD SP request-target SP HTTP/1.x */
    private boolean readRequestLine(ByteBuf src, int start, int end) {
        int firstSpace = src.indexOf(start, end, (byte) ' ');
        if (firstSpace < 0 || !HttpBytes.isToken(src, start, firstSpace)) {
            return false;
        }
        int secondSpace = src.indexOf(firstSpace + 1, end, (byte) ' ');
        if (secondSpace < 0 || secondSpace == firstSpace + 1 || end - secondSpace != 9
                || !HttpBytes.isRequestTarget(src, firstSpace + 1, secondSpace)) {
            return false;
        }
        int v = secondSpace + 1;
        if (src.getByte(v) != 'H' || src.getByte(v + 1) != 'T' || src.getByte(v + 2) != 'T' || src.getByte(v + 3) != 'P'
                || src.getByte(v + 4) != '/' || src.getByte(v + 5) != '1' || src.getByte(v + 6) != '.') {
            return false;
        }
        byte minor = src.getByte(v + 7);
        if (minor != '0' && minor != '1') {
            return false;
        }
        head.http11 = minor == '1';
        head.methodStart = start;
        head.methodEnd = firstSpace;
        head.targetStart = firstSpace + 1;
        head.targetEnd = secondSpace;
        head.headMethod = is(src, start, firstSpace, "HEAD");
        head.idempotent = head.headMethod || is(src, start, firstSpace, "GET") || is(src, start, firstSpace, "PUT")
                || is(src, start, firstSpace, "DELETE") || is(src, start, firstSpace, "OPTIONS") || is(src, start, firstSpace, "TRACE");
        return true;
    }

    /** Methods are case-sensitive (RFC 9110 section 9.1). */
    private static boolean is(ByteBuf src, int start, int end, String method) {
        if (end - start != method.length()) {
            return false;
        }
        for (int i = 0; i < method.length(); i++) {
            if (src.getByte(start + i) != method.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The end of the line's content before its CRLF; -1 when the LF has no CR before it. */
    private static int crlfEnd(ByteBuf src, int lineStart, int lf) {
        return lf > lineStart && src.getByte(lf - 1) == '\r' ? lf - 1 : -1;
    }

    private Progress reject(HttpResponseStatus status, String sentence) {
        state = State.REJECTED;
        body.reset();
        head.bytes = null;
        listener.onRequestRejected(status, sentence);
        return Progress.PAUSED;
    }

    // ------------------------------------------------------------------ body

    @Override
    public void onBody(ByteBuf content) {
        delivered = true;
        listener.onRequestBody(content);
    }

    @Override
    public void onEnd(ByteBuf trailers) {
        state = State.ENDED;
        listener.onRequestEnd(trailers);
    }

    @Override
    public void onMalformed(String why) {
        state = State.REJECTED;
        listener.onRequestRejected(HttpResponseStatus.BAD_REQUEST, "malformed request body: " + why);
    }

    private static byte[] bytes(String lowerCase) {
        return lowerCase.getBytes(StandardCharsets.US_ASCII);
    }
}
