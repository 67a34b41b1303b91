package dev.cutover.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A client's request head, read in place by {@link RequestReader}: what the proxy must know
 * (method, target, Host, framing, keep-alive, upgrade) and where each header line lies in the
 * bytes it came in. {@link #render} writes the head the app gets: the same lines byte for byte,
 * minus the hop-by-hop ones, plus the forwarding headers.
 *
 * <p>One instance per client connection, reused for every request: valid only during
 * {@link RequestReader.Listener#onRequestHead}, while the bytes it points into are still there.
 */
final class RequestHead {

    static final int KEEP = 0;
    static final int DROP = 1;               // hop-by-hop: Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding
    static final int UPGRADE = 2;            // kept only when the request asks for an upgrade
    static final int X_FORWARDED_FOR = 3;
    static final int X_FORWARDED_PROTO = 4;
    static final int X_FORWARDED_HOST = 5;
    static final int VIA = 6;

    private static final byte[] HTTP_11 = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] UPGRADE_CONNECTION = "connection: upgrade\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHUNKED = "transfer-encoding: chunked\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] XFF = "x-forwarded-for: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] XFP_HTTP = "x-forwarded-proto: http\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] XFH = "x-forwarded-host: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VIA_NAME = "via: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VIA_US = "1.1 cutover".getBytes(StandardCharsets.US_ASCII);

    boolean http11;
    boolean keepAlive;
    long contentLength;
    boolean chunked;
    boolean upgradeRequested;
    boolean webSocket;
    boolean headMethod;
    boolean idempotent;

    ByteBuf bytes;
    int methodStart;
    int methodEnd;
    int targetStart;
    int targetEnd;
    int hostStart = -1;
    int hostEnd;
    final HeaderLines lines = new HeaderLines();
    final int[] kindCounts = new int[VIA + 1];

    void reset(ByteBuf bytes) {
        this.bytes = bytes;
        lines.clear();
        java.util.Arrays.fill(kindCounts, 0);
        contentLength = -1;
        chunked = false;
        hostStart = -1;
        upgradeRequested = false;
        webSocket = false;
    }

    void addLine(int start, int end, int kind) {
        lines.add(start, end, kind);
        kindCounts[kind]++;
    }

    /** Nothing follows the head: no Content-Length (or zero) and not chunked. */
    boolean bodyless() {
        return !chunked && contentLength <= 0;
    }

    /** The Host header's value, or null when there is none. */
    String host() {
        return hostStart < 0 ? null : bytes.toString(hostStart, hostEnd - hostStart, StandardCharsets.ISO_8859_1);
    }

    /** The request target as sent: a path, an absolute URI, {@code *} or an authority. */
    String target() {
        return bytes.toString(targetStart, targetEnd - targetStart, StandardCharsets.ISO_8859_1);
    }

    /**
     * The head as the app gets it: HTTP/1.1, the end-to-end lines as they came, our framing and
     * upgrade headers, and X-Forwarded-For/-Proto/-Host and Via. A trusted proxy's X-Forwarded-*
     * are appended to (or kept); anyone else's are replaced, so nobody can forge an address.
     */
    ByteBuf render(ByteBufAllocator alloc, byte[] clientIp, boolean trustedClient) {
        int size = (methodEnd - methodStart) + 1 + (targetEnd - targetStart) + HTTP_11.length + 2
                + UPGRADE_CONNECTION.length + CHUNKED.length + XFF.length + XFP_HTTP.length + XFH.length
                + VIA_NAME.length + VIA_US.length + clientIp.length + 8 + (hostStart < 0 ? 0 : hostEnd - hostStart);
        size += lines.size();
        ByteBuf out = alloc.directBuffer(size);
        out.writeBytes(bytes, methodStart, methodEnd - methodStart).writeByte(' ')
                .writeBytes(bytes, targetStart, targetEnd - targetStart).writeBytes(HTTP_11);
        boolean keepProto = trustedClient && kindCounts[X_FORWARDED_PROTO] > 0;
        boolean keepHost = trustedClient && kindCounts[X_FORWARDED_HOST] > 0;
        for (int i = 0; i < lines.count(); i++) {
            boolean kept = switch (lines.kind(i)) {
                case KEEP -> !lines.namedInConnection(bytes, i);
                case UPGRADE -> upgradeRequested;
                case X_FORWARDED_PROTO -> keepProto;
                case X_FORWARDED_HOST -> keepHost;
                default -> false; // hop-by-hop, or rewritten below
            };
            if (kept) {
                lines.write(bytes, i, out);
            }
        }
        if (upgradeRequested) {
            out.writeBytes(UPGRADE_CONNECTION);
        }
        if (chunked) {
            out.writeBytes(CHUNKED);
        }
        out.writeBytes(XFF);
        if (trustedClient) {
            lines.writeValues(bytes, X_FORWARDED_FOR, out);
        }
        out.writeBytes(clientIp).writeBytes(CRLF);
        if (!keepProto) {
            out.writeBytes(XFP_HTTP);
        }
        if (!keepHost && hostStart >= 0) {
            out.writeBytes(XFH).writeBytes(bytes, hostStart, hostEnd - hostStart).writeBytes(CRLF);
        }
        out.writeBytes(VIA_NAME);
        lines.writeValues(bytes, VIA, out);
        return out.writeBytes(VIA_US).writeBytes(CRLF).writeBytes(CRLF);
    }

}
