package dev.cutover.server.config;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import dev.cutover.proxy.ProxyConfig;
import dev.cutover.proxy.Transport;
import io.netty.util.NetUtil;

/** The {@code proxy:} section: the data plane's listener, threads, limits and timeouts. */
final class ProxySection {

    private ProxySection() {
    }

    /** The proxy's settings; null when {@code proxy.listen} is missing or wrong. */
    static ProxyConfig read(MapReader root, Claims claims) {
        if (!root.require("proxy", "add a proxy: section with at least listen: 127.0.0.1:8080")) {
            return null;
        }
        MapReader proxy = root.map("proxy", "{ listen: 127.0.0.1:8080 }");
        if (proxy == null) {
            return null;
        }
        ProxyConfig.Builder b = ProxyConfig.builder();
        InetSocketAddress listen = null;
        if (proxy.require("listen", "the address the proxy serves on, e.g. listen: 127.0.0.1:8080")) {
            listen = proxy.address("listen");
        }
        if (listen != null) {
            b.listen(listen);
            claims.port(listen.getPort(), "the proxy's listener (proxy.listen)", null, proxy.where("listen"),
                    proxy.lineOf("listen"));
        }
        set(proxy.integer("io_threads", 0, 1024), b::ioThreads);
        String transport = proxy.text("transport");
        if (transport != null) {
            switch (transport.toLowerCase(Locale.ROOT)) {
                case "auto" -> b.transport(Transport.Kind.AUTO);
                case "epoll" -> b.transport(Transport.Kind.EPOLL);
                case "nio" -> b.transport(Transport.Kind.NIO);
                default -> proxy.problem(proxy.lineOf("transport"), proxy.where("transport") + ": \"" + transport
                        + "\" is not a transport; write auto, epoll or nio");
            }
        }
        set(trustedProxies(proxy), b::trustedProxies);
        set(proxy.integer("max_connections", 1, Integer.MAX_VALUE), b::maxConnections);
        set(proxy.integer("max_idle_upstreams_per_target", 0, Integer.MAX_VALUE), b::maxIdleUpstreamsPerTarget);
        set(proxy.size("max_header_size", 256), b::maxHeaderSize);
        set(proxy.size("max_initial_line", 64), b::maxInitialLineLength);
        MapReader timeouts = proxy.map("timeouts", "{ client_header: 10s, upstream_response: 60s }");
        if (timeouts != null) {
            set(timeouts.duration("client_header"), b::clientHeaderTimeout);
            set(timeouts.duration("client_idle"), b::clientIdleTimeout);
            set(timeouts.duration("upstream_connect"), b::upstreamConnectTimeout);
            set(timeouts.duration("upstream_response"), b::upstreamResponseTimeout);
            set(timeouts.duration("upstream_idle"), b::upstreamIdleTimeout);
            timeouts.finish();
        }
        proxy.finish();
        return listen == null ? null : b.build();
    }

    private static List<String> trustedProxies(MapReader proxy) {
        List<String> cidrs = proxy.texts("trusted_proxies", "[10.0.0.0/8, 192.168.1.5]");
        if (cidrs == null) {
            return null;
        }
        for (String cidr : cidrs) {
            if (!isAddressOrRange(cidr)) {
                proxy.problem(proxy.lineOf("trusted_proxies"), proxy.where("trusted_proxies") + ": \"" + cidr
                        + "\" is not an IP address or CIDR range; write it like 10.0.0.0/8, 192.168.1.5 or ::1");
                return null;
            }
        }
        return cidrs;
    }

    private static boolean isAddressOrRange(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        boolean v4 = NetUtil.isValidIpV4Address(address);
        if (!v4 && !NetUtil.isValidIpV6Address(address)) {
            return false;
        }
        if (slash < 0) {
            return true;
        }
        String bits = text.substring(slash + 1);
        return bits.matches("\\d{1,3}") && Integer.parseInt(bits) <= (v4 ? 32 : 128);
    }

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
