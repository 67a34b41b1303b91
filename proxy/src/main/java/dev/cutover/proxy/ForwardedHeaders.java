package dev.cutover.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;

/**
 * Who may speak for a client: X-Forwarded-* headers are believed only from configured trusted
 * proxies (then we append to them); from anyone else they are replaced, so nobody can forge their
 * address to the app. {@link RequestHead#render} writes them.
 */
final class ForwardedHeaders {

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
}
