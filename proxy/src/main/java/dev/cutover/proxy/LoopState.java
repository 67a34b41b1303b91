package dev.cutover.proxy;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;

/**
 * What one event loop owns: its upstream pool, its in-flight exchanges and client connections,
 * and a bootstrap that opens upstream connections on this same loop (one thread owns both sides
 * of a request, so nothing on that path is shared).
 */
final class LoopState {

    final EventLoop loop;
    final UpstreamPool pool;
    final InFlightRegistry exchanges = new InFlightRegistry();
    final Set<ClientConnection> clients = new HashSet<>();
    final long responseTimeoutNanos;
    final int maxResponseHeadSize;          // an app's headers may be larger than what we accept from clients
    private final Bootstrap upstreams;

    LoopState(EventLoop loop, Transport transport, ProxyConfig config) {
        this.loop = loop;
        this.pool = new UpstreamPool(config.maxIdleUpstreamsPerTarget(), config.upstreamIdleTimeout().toNanos());
        this.responseTimeoutNanos = config.upstreamResponseTimeout().toNanos();
        this.maxResponseHeadSize = Math.max(config.maxHeaderSize(), 64 * 1024);
        this.upstreams = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.upstreamConnectTimeout().toMillis()))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // Nothing to decode or encode: UpstreamConnection reads and writes bytes, added once connected.
                    }
                });
    }

    ChannelFuture connect(Target target) {
        return upstreams.connect(target.address());
    }

    /** Ends every exchange on {@code target} (a drain timed out); counts each before ending it. */
    void endAll(Target target, AtomicLong ended) {
        exchanges.forEach(exchange -> {
            if (exchange.target() == target) {
                ended.incrementAndGet();
                exchange.endForDrain();
            }
        });
    }

    /** Ends every exchange (the proxy's shutdown timed out). */
    void endAll(AtomicLong ended) {
        exchanges.forEach(exchange -> {
            ended.incrementAndGet();
            exchange.endForDrain();
        });
    }
}
