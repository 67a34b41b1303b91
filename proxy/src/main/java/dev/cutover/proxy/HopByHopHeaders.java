package dev.cutover.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * Headers that describe one connection, not the message (RFC 9110 7.6.1): they end at the
 * proxy. That is Connection and every header it names, plus Keep-Alive, Proxy-Connection, TE,
 * Trailer, Transfer-Encoding and Upgrade. The proxy sets its own framing and connection headers
 * for the next hop afterwards.
 */
final class HopByHopHeaders {

    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    private HopByHopHeaders() {
    }

    /** Removes the hop-by-hop headers; {@code keepUpgrade} keeps Upgrade for a protocol switch. */
    static void strip(HttpHeaders headers, boolean keepUpgrade) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (String token : headers.getAll(HttpHeaderNames.CONNECTION)) {
                removeNamedIn(headers, token, keepUpgrade);
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove(PROXY_CONNECTION);
        headers.remove(HttpHeaderNames.TE);
        headers.remove(HttpHeaderNames.TRAILER);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (!keepUpgrade) {
            headers.remove(HttpHeaderNames.UPGRADE);
        }
    }

    private static void removeNamedIn(HttpHeaders headers, String connectionValue, boolean keepUpgrade) {
        int start = 0;
        int length = connectionValue.length();
        while (start < length) {
            int comma = connectionValue.indexOf(',', start);
            int end = comma < 0 ? length : comma;
            String name = connectionValue.substring(start, end).trim();
            // Keep-Alive goes anyway below: the usual "Connection: keep-alive" costs no lookup.
            if (!name.isEmpty() && !(keepUpgrade && name.equalsIgnoreCase("upgrade"))
                    && !name.equalsIgnoreCase("keep-alive")) {
                headers.remove(name);
            }
            start = end + 1;
        }
    }
}
