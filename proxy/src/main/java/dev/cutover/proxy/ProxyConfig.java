package dev.cutover.proxy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The proxy's listener, threads, timeouts and limits. Defaults follow what an nginx operator
 * would expect (header read 10 s, keep-alive 75 s, upstream connect 5 s, upstream response 60 s),
 * except the upstream idle timeout: 4 s, below Node's 5 s keep-alive, so the proxy never reuses
 * a connection the app is about to close.
 *
 * @param ioThreads              event loops; 0 means one per core
 * @param clientHeaderTimeout    from a request's first byte (or the connection's accept) until its headers are in: 408
 * @param clientIdleTimeout      a keep-alive connection with no request, or a request body that stops arriving: closed
 * @param upstreamConnectTimeout connecting to a target: 504
 * @param upstreamResponseTimeout waiting for the target's next response byte: 504 before any was sent, close after
 * @param upstreamIdleTimeout    how long an idle pooled upstream connection is kept
 * @param trustedProxies         addresses or CIDR ranges whose X-Forwarded-* headers are kept (appended to)
 */
public record ProxyConfig(InetSocketAddress listen, int ioThreads, Transport.Kind transport,
                          Duration clientHeaderTimeout, Duration clientIdleTimeout,
                          Duration upstreamConnectTimeout, Duration upstreamResponseTimeout,
                          Duration upstreamIdleTimeout, int maxInitialLineLength, int maxHeaderSize,
                          int maxConnections, int maxIdleUpstreamsPerTarget, List<String> trustedProxies) {

    public ProxyConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(transport, "transport");
        trustedProxies = List.copyOf(trustedProxies);
        requirePositive("clientHeaderTimeout", clientHeaderTimeout);
        requirePositive("clientIdleTimeout", clientIdleTimeout);
        requirePositive("upstreamConnectTimeout", upstreamConnectTimeout);
        requirePositive("upstreamResponseTimeout", upstreamResponseTimeout);
        requirePositive("upstreamIdleTimeout", upstreamIdleTimeout);
        if (ioThreads < 0 || maxInitialLineLength < 64 || maxHeaderSize < 256 || maxConnections < 1
                || maxIdleUpstreamsPerTarget < 0) {
            throw new IllegalArgumentException("proxy limits out of range: " + this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ProxyConfig defaults() {
        return builder().build();
    }

    public int effectiveIoThreads() {
        return ioThreads > 0 ? ioThreads : Runtime.getRuntime().availableProcessors();
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }

    public static final class Builder {
        private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 8080);
        private int ioThreads;
        private Transport.Kind transport = Transport.Kind.AUTO;
        private Duration clientHeaderTimeout = Duration.ofSeconds(10);
        private Duration clientIdleTimeout = Duration.ofSeconds(75);
        private Duration upstreamConnectTimeout = Duration.ofSeconds(5);
        private Duration upstreamResponseTimeout = Duration.ofSeconds(60);
        private Duration upstreamIdleTimeout = Duration.ofSeconds(4);
        private int maxInitialLineLength = 8192;
        private int maxHeaderSize = 16384;
        private int maxConnections = 10_000;
        private int maxIdleUpstreamsPerTarget = 256;
        private List<String> trustedProxies = List.of();

        private Builder() {
        }

        public Builder listen(InetSocketAddress listen) { this.listen = listen; return this; }
        public Builder listen(String host, int port) { return listen(new InetSocketAddress(host, port)); }
        public Builder ioThreads(int ioThreads) { this.ioThreads = ioThreads; return this; }
        public Builder transport(Transport.Kind transport) { this.transport = transport; return this; }
        public Builder clientHeaderTimeout(Duration d) { this.clientHeaderTimeout = d; return this; }
        public Builder clientIdleTimeout(Duration d) { this.clientIdleTimeout = d; return this; }
        public Builder upstreamConnectTimeout(Duration d) { this.upstreamConnectTimeout = d; return this; }
        public Builder upstreamResponseTimeout(Duration d) { this.upstreamResponseTimeout = d; return this; }
        public Builder upstreamIdleTimeout(Duration d) { this.upstreamIdleTimeout = d; return this; }
        public Builder maxInitialLineLength(int n) { this.maxInitialLineLength = n; return this; }
        public Builder maxHeaderSize(int n) { this.maxHeaderSize = n; return this; }
        public Builder maxConnections(int n) { this.maxConnections = n; return this; }
        public Builder maxIdleUpstreamsPerTarget(int n) { this.maxIdleUpstreamsPerTarget = n; return this; }
        public Builder trustedProxies(List<String> cidrs) { this.trustedProxies = cidrs; return this; }

        public ProxyConfig build() {
            return new ProxyConfig(listen, ioThreads, transport, clientHeaderTimeout, clientIdleTimeout,
                    upstreamConnectTimeout, upstreamResponseTimeout, upstreamIdleTimeout, maxInitialLineLength,
                    maxHeaderSize, maxConnections, maxIdleUpstreamsPerTarget, trustedProxies);
        }
    }
}
