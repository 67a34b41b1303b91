package dev.cutover.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;

/**
 * One connection to a target. Between requests it waits in its event loop's pool; while leased,
 * its {@link ResponseReader} reads what the app sends for the {@link Exchange} that holds it.
 * Requests go out and responses come in as bytes; nothing else sits in its pipeline. Its timer is the
 * upstream response timeout: armed when the request went out, moved on every byte of progress.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private final Channel channel;
    private final Target target;
    private final long responseTimeoutNanos;
    private final ConnectionTimer timer;
    private final ResponseReader reader;
    private Exchange exchange;
    private long idleSince;
    private boolean broken;

    private UpstreamConnection(Channel channel, Target target, long responseTimeoutNanos, int maxResponseHeadSize) {
        this.channel = channel;
        this.target = target;
        this.responseTimeoutNanos = responseTimeoutNanos;
        this.timer = new ConnectionTimer(channel.eventLoop(), this::timedOut);
        this.reader = new ResponseReader(maxResponseHeadSize);
    }

    /** Adds the handler to a freshly connected channel. */
    static UpstreamConnection install(Channel channel, Target target, long responseTimeoutNanos, int maxResponseHeadSize) {
        UpstreamConnection connection = new UpstreamConnection(channel, target, responseTimeoutNanos, maxResponseHeadSize);
        channel.pipeline().addLast("upstream", connection);
        return connection;
    }

    Channel channel() {
        return channel;
    }

    Target target() {
        return target;
    }

    long idleSince() {
        return idleSince;
    }

    boolean isReusable() {
        return !broken && exchange == null && channel.isActive();
    }

    /** Leases the connection to {@code exchange}, whose request is about to go out; a HEAD gets no body back. */
    void attach(Exchange exchange, boolean headRequest) {
        this.exchange = exchange;
        reader.expect(exchange, headRequest);
    }

    void detach() {
        exchange = null;
        reader.stop();
        timer.disarm();
    }

    void armResponseTimeout() {
        timer.arm(responseTimeoutNanos);
    }

    /** Parks the connection in the pool, with a read pending so an app closing it is noticed at once. */
    void parkIdle() {
        idleSince = System.nanoTime();
        channel.read();
    }

    void switchToTunnel() {
        timer.stop();
        reader.switchToRaw();
    }

    void close() {
        broken = true;
        timer.stop();
        channel.close();
    }

    void closeAfterFlush() {
        broken = true;
        timer.stop();
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void timedOut() {
        if (exchange != null) {
            exchange.onUpstreamTimeout(this);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange != null && msg instanceof ByteBuf bytes) {
            reader.read(bytes);
        } else {
            // An idle connection has nothing to say; whatever the app sent, it is not ours to reuse.
            ReferenceCountUtil.release(msg);
            close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onUpstreamReadComplete(this);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && channel.isWritable()) {
            exchange.onUpstreamWritable(this);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        broken = true;
        timer.stop();
        reader.endOfInput(); // a body delimited by the close ends here, and its exchange completes
        if (exchange != null) {
            exchange.onUpstreamClosed(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // the close event tells the exchange
    }
}
