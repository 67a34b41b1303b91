package dev.cutover.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.AsciiString;

/**
 * X-Forwarded-For/-Proto/-Host and Via toward the app. A client's own X-Forwarded-* headers are
 * believed only when the client is a configured trusted proxy (then we append to them);
 * from anyone else they are replaced, so nobody can forge their address to the app.
 */
final class ForwardedHeaders {

    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    private static final String VIA = "1.1 cutover";

    private final IpSubnetFilterRule[] trusted;

    ForwardedHeaders(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(ForwardedHeaders::rule).toArray(IpSubnetFilterRule[]::new);
    }

    private static IpSubnetFilterRule rule(String cidr) {
        try {
            return cidr.contains("/")
                    ? new IpSubnetFilterRule(cidr, IpFilterRuleType.ACCEPT)
                    : new IpSubnetFilterRule(cidr, cidr.contains(":") ? 128 : 32, IpFilterRuleType.ACCEPT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("trusted proxy '" + cidr
                    + "' is not an IP address or CIDR range (e.g. 10.0.0.0/8): " + e.getMessage(), e);
        }
    }

    boolean isTrusted(SocketAddress client) {
        if (client instanceof InetSocketAddress inet) {
            for (IpSubnetFilterRule rule : trusted) {
                if (rule.matches(inet)) {
                    return true;
                }
            }
        }
        return false;
    }

    static String clientIp(SocketAddress client) {
        return client instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : "unknown";
    }

    /** Rewrites the headers of a request on its way to the app. */
    static void apply(HttpHeaders headers, String clientIp, boolean trustedClient) {
        String host = headers.get(HttpHeaderNames.HOST);
        if (trustedClient) {
            String chain = joined(headers, X_FORWARDED_FOR);
            headers.set(X_FORWARDED_FOR, chain == null ? clientIp : chain + ", " + clientIp);
            if (!headers.contains(X_FORWARDED_PROTO)) {
                headers.set(X_FORWARDED_PROTO, "http");
            }
            if (!headers.contains(X_FORWARDED_HOST) && host != null) {
                headers.set(X_FORWARDED_HOST, host);
            }
        } else {
            headers.set(X_FORWARDED_FOR, clientIp);
            headers.set(X_FORWARDED_PROTO, "http");
            if (host != null) {
                headers.set(X_FORWARDED_HOST, host);
            } else {
                headers.remove(X_FORWARDED_HOST);
            }
        }
        String via = joined(headers, HttpHeaderNames.VIA);
        headers.set(HttpHeaderNames.VIA, via == null ? VIA : via + ", " + VIA);
    }

    private static String joined(HttpHeaders headers, CharSequence name) {
        if (!headers.contains(name)) {
            return null; // the usual case, answered without building a list
        }
        List<String> values = headers.getAll(name);
        return switch (values.size()) {
            case 0 -> null;
            case 1 -> values.get(0);
            default -> String.join(", ", values);
        };
    }
}
