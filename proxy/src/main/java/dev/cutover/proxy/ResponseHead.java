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
    int[] lines = new int[3 * 16];
    int lineCount;
    // Names listed in Connection (beyond close, keep-alive and upgrade): (start, end) pairs, rare.
    int[] connectionNames = new int[4];
    int connectionNameCount;

    void reset(ByteBuf bytes) {
        this.bytes = bytes;
        lineCount = 0;
        connectionNameCount = 0;
        contentLength = -1;
    }

    void addLine(int start, int end, int kind) {
        if (3 * lineCount + 3 > lines.length) {
            lines = java.util.Arrays.copyOf(lines, lines.length * 2);
        }
        lines[3 * lineCount] = start;
        lines[3 * lineCount + 1] = end;
        lines[3 * lineCount + 2] = kind;
        lineCount++;
    }

    void addConnectionName(int start, int end) {
        if (2 * connectionNameCount + 2 > connectionNames.length) {
            connectionNames = java.util.Arrays.copyOf(connectionNames, connectionNames.length * 2);
        }
        connectionNames[2 * connectionNameCount] = start;
        connectionNames[2 * connectionNameCount + 1] = end;
        connectionNameCount++;
    }

    /**
     * The head as the client gets it: HTTP/1.1, the app's status and reason, every end-to-end
     * header line byte for byte, then the framing and connection headers the proxy chose
     * ({@code ADD_*} flags). {@code room} extra bytes are left free for a small body.
     */
    ByteBuf render(ByteBufAllocator alloc, int add, boolean keepUpgrade, int room) {
        int size = HTTP_11.length + (statusEnd - statusStart) + 2 + 2;
        boolean dropLength = framing == Framing.CHUNKED || framing == Framing.UNTIL_CLOSE;
        for (int i = 0; i < lineCount; i++) {
            if (kept(i, keepUpgrade, dropLength)) {
                size += lines[3 * i + 1] - lines[3 * i] + 2;
            }
        }
        size += ((add & ADD_CHUNKED) != 0 ? CHUNKED.length : 0) + ((add & ADD_CLOSE) != 0 ? CLOSE.length : 0)
                + ((add & ADD_KEEP_ALIVE) != 0 ? KEEP_ALIVE.length : 0) + ((add & ADD_UPGRADE) != 0 ? UPGRADE_CONNECTION.length : 0);
        ByteBuf out = alloc.directBuffer(size + room);
        out.writeBytes(HTTP_11).writeBytes(bytes, statusStart, statusEnd - statusStart).writeBytes(CRLF);
        for (int i = 0; i < lineCount; i++) {
            if (kept(i, keepUpgrade, dropLength)) {
                int start = lines[3 * i];
                out.writeBytes(bytes, start, lines[3 * i + 1] - start).writeBytes(CRLF);
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
        int kind = lines[3 * line + 2];
        return switch (kind) {
            case DROP -> false;
            case UPGRADE -> keepUpgrade;
            case CONTENT_LENGTH -> !dropLength;
            default -> connectionNameCount == 0 || !namedInConnection(lines[3 * line]);
        };
    }

    /** Whether the header line starting at {@code start} is one the app's Connection header named. */
    private boolean namedInConnection(int start) {
        int colon = bytes.indexOf(start, bytes.writerIndex(), (byte) ':');
        for (int i = 0; i < connectionNameCount; i++) {
            int nameStart = connectionNames[2 * i];
            int nameEnd = connectionNames[2 * i + 1];
            if (nameEnd - nameStart == colon - start && HttpBytes.equalsIgnoreCase(bytes, start, bytes, nameStart, colon - start)) {
                return true;
            }
        }
        return false;
    }
}
