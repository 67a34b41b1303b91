package dev.cutover.proxy;

import java.util.ArrayDeque;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * A client's connection: reads one request at a time, finds its service, and hands it to an
 * {@link Exchange}. The next request is read only when the previous response is complete, which
 * keeps pipelined responses in order.
 *
 * <p>Auto-read is off. One socket read can decode into several messages (pipelined requests), so
 * messages nobody asked for yet wait in {@code pending}, and {@link #read()} serves from there
 * before it asks the socket. (Netty's FlowControlHandler does this too, but forgets a read request
 * when the decoder needs a second socket read to finish a message, and the request then stalls.)
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

    private final Proxy proxy;
    private final LoopState loop;
    private final ClientTimeouts timeouts;
    private ChannelHandlerContext ctx;
    private String clientIp;
    private boolean trustedClient;
    private Exchange exchange;
    private boolean closing;
    private boolean tunnel;
    private final ArrayDeque<Object> pending = new ArrayDeque<>(4);
    private boolean wantsMessage;

    ClientConnection(Proxy proxy, LoopState loop, ClientTimeouts timeouts) {
        this.proxy = proxy;
        this.loop = loop;
        this.timeouts = timeouts;
    }

    String clientIp() {
        return clientIp;
    }

    boolean trustedClient() {
        return trustedClient;
    }

    ClientTimeouts timeouts() {
        return timeouts;
    }

    Channel channel() {
        return ctx.channel();
    }

    boolean shuttingDown() {
        return proxy.isShuttingDown();
    }

    boolean isIdle() {
        return exchange == null;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clientIp = ForwardedHeaders.clientIp(ctx.channel().remoteAddress());
        trustedClient = proxy.forwardedHeaders().isTrusted(ctx.channel().remoteAddress());
        loop.clients.add(this);
        read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (tunnel || (wantsMessage && pending.isEmpty())) {
            wantsMessage = false;
            handle(msg);
        } else {
            pending.add(msg);
        }
    }

    /** Asks for the next message: from the ones already decoded, else from the socket. */
    void read() {
        Object next = pending.poll();
        if (next != null) {
            handle(next);
            return;
        }
        wantsMessage = true;
        ctx.read();
    }

    private void handle(Object msg) {
        if (msg instanceof HttpRequest request) {
            onRequest(request);
        } else if (exchange != null && msg instanceof HttpContent content) {
            exchange.onRequestContent(content);
        } else if (exchange != null && msg instanceof ByteBuf bytes) {
            exchange.onClientBytes(bytes);
        } else {
            // The empty end of a request that was already answered: move on to the next request.
            ReferenceCountUtil.release(msg);
            if (msg instanceof LastHttpContent && !closing) {
                read();
            }
        }
    }

    private void onRequest(HttpRequest request) {
        if (closing || exchange != null) {
            ReferenceCountUtil.release(request);
            return;
        }
        // The decoder has validated the framing: no Transfer-Encoding and no (or a zero) length means no body.
        boolean bodyless = !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
        timeouts.requestHeadReceived(!bodyless);
        String host = request.headers().get(HttpHeaderNames.HOST);
        Service service = proxy.routes().resolve(host, request.uri());
        if (service == null) {
            respondError(HttpResponseStatus.NOT_FOUND, "no service is routed for host '" + host + "' and path '"
                    + RoutingTable.pathOf(request.uri()) + "'", HttpUtil.isKeepAlive(request) && bodyless);
            return;
        }
        exchange = new Exchange(this, loop, service, request, bodyless);
        exchange.start();
    }

    // --- called by the exchange ---

    void write(Object msg) {
        ctx.write(msg, ctx.voidPromise());
    }

    void writeAndFlush(Object msg) {
        ctx.writeAndFlush(msg, ctx.voidPromise());
    }

    void flush() {
        ctx.flush();
    }

    ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    boolean isWritable() {
        return ctx.channel().isWritable();
    }

    void exchangeCompleted(boolean close) {
        exchange = null;
        if (close || proxy.isShuttingDown()) {
            closeAfterFlush();
            return;
        }
        timeouts.responseCompleted();
        read();
    }

    void respondError(HttpResponseStatus status, String sentence, boolean keepAlive) {
        exchange = null;
        boolean keep = keepAlive && !proxy.isShuttingDown();
        ChannelFuture written = ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), status, sentence, keep));
        if (keep) {
            timeouts.responseCompleted();
            read();
        } else {
            closing = true;
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    void abort() {
        exchange = null;
        closing = true;
        ctx.channel().close();
    }

    void closeAfterFlush() {
        closing = true;
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes the connection if no request is running on it (the proxy is shutting down). */
    void closeIfIdle() {
        if (exchange == null && !closing) {
            closing = true;
            ctx.channel().close();
        }
    }

    /**
     * After a 101: takes the HTTP handlers out. The decoder goes last: it hands over the bytes it
     * holds, which are the first of the tunnel.
     */
    void beginTunnel() {
        tunnel = true;
        pending.forEach(ReferenceCountUtil::release); // bytes the decoder misread as HTTP after the upgrade request
        pending.clear();
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.remove(ClientTimeouts.class);
        pipeline.remove(FramingEnforcer.class);
        pipeline.remove(ClientInitializer.DECODER);
    }

    // --- channel events ---

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.onClientWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
        loop.clients.remove(this);
        Exchange running = exchange;
        exchange = null;
        if (running != null) {
            running.onClientClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // reset by peer and the like; the exchange hears of it through channelInactive
    }
}
