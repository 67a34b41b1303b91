package dev.cutover.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A response head as the app sent it, read in place: the status, how its body is framed, whether
 * the app keeps the connection, and where each header line lies in the bytes it came in. The
 * proxy never turns the headers into objects: it copies the lines it keeps to the client as they
 * are, which is most of what makes a small response cheap to relay.
 *
 * <p>One instance per upstream connection, reused for every response: it is valid only during
 * {@link ResponseReader.Listener#onHead}, while the bytes it points into are still there.
 */
final class ResponseHead {

    /** How the body that follows a head is delimited (RFC 9112 section 6.3). */
    enum Framing {
        /** No body: a HEAD request, 1xx, 204 or 304. */
        NONE,
        /** Content-Length bytes. */
        FIXED,
        /** Chunked transfer coding. */
        CHUNKED,
        /** Everything until the app closes the connection. */
        UNTIL_CLOSE
    }

    /** Header lines by what the proxy does with them. */
    static final int KEEP = 0;
    static final int DROP = 1;            // hop-by-hop: Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding
    static final int UPGRADE = 2;         // dropped, except on a protocol switch
    static final int CONTENT_LENGTH = 3;  // dropped when Transfer-Encoding overrides it

    static final int ADD_CHUNKED = 1;
    static final int ADD_CLOSE = 2;
    static final int ADD_KEEP_ALIVE = 4;
    static final int ADD_UPGRADE = 8;

    private static final byte[] HTTP_11 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CLOSE = "connection: close\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = "connection: keep-alive\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UPGRADE_CONNECTION = "connection: upgrade\r\n".getBytes(StandardCharsets.US_ASCII);

    int status;
    boolean http11;
    Framing framing;
    long contentLength;
    boolean keepAlive;

    // Where things are in the bytes: the status code and reason, then (start, end, kind) per header line.
    ByteBuf bytes;
    int statusStart;
    int statusEnd;
    final HeaderLines lines = new HeaderLines();

    void reset(ByteBuf bytes) {
        this.bytes = bytes;
        lines.clear();
        contentLength = -1;
    }

    /**
     * The head as the client gets it: HTTP/1.1, the app's status and reason, every end-to-end
     * header line byte for byte, then the framing and connection headers the proxy chose
     * ({@code ADD_*} flags). {@code room} extra bytes are left free for a small body.
     */
    ByteBuf render(ByteBufAllocator alloc, int add, boolean keepUpgrade, int room) {
        int size = HTTP_11.length + (statusEnd - statusStart) + 2 + 2;
        boolean dropLength = framing == Framing.CHUNKED || framing == Framing.UNTIL_CLOSE;
        size += lines.size();
        size += ((add & ADD_CHUNKED) != 0 ? CHUNKED.length : 0) + ((add & ADD_CLOSE) != 0 ? CLOSE.length : 0)
                + ((add & ADD_KEEP_ALIVE) != 0 ? KEEP_ALIVE.length : 0) + ((add & ADD_UPGRADE) != 0 ? UPGRADE_CONNECTION.length : 0);
        ByteBuf out = alloc.directBuffer(size + room);
        out.writeBytes(HTTP_11).writeBytes(bytes, statusStart, statusEnd - statusStart).writeBytes(CRLF);
        for (int i = 0; i < lines.count(); i++) {
            if (kept(i, keepUpgrade, dropLength)) {
                lines.write(bytes, i, out);
            }
        }
        if ((add & ADD_CHUNKED) != 0) {
            out.writeBytes(CHUNKED);
        }
        if ((add & ADD_CLOSE) != 0) {
            out.writeBytes(CLOSE);
        }
        if ((add & ADD_KEEP_ALIVE) != 0) {
            out.writeBytes(KEEP_ALIVE);
        }
        if ((add & ADD_UPGRADE) != 0) {
            out.writeBytes(UPGRADE_CONNECTION);
        }
        return out.writeBytes(CRLF);
    }

    private boolean kept(int line, boolean keepUpgrade, boolean dropLength) {
        return switch (lines.kind(line)) {
            case DROP -> false;
            case UPGRADE -> keepUpgrade;
            case CONTENT_LENGTH -> !dropLength;
            default -> !lines.namedInConnection(bytes, line);
        };
    }
}
