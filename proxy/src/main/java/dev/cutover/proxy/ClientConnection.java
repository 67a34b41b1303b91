package dev.cutover.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;

/**
 * A client's connection: reads one request at a time with its {@link RequestReader}, finds the
 * service, and hands the request to an {@link Exchange}. The next request is read only when the
 * previous response is complete, which keeps pipelined responses in order; a request's body is
 * read only when its exchange asks (after the head reached the app, and while the app keeps up).
 *
 * <p>Auto-read is off. Bytes not read yet (a pipelined request, the rest of a body) wait in
 * {@code buffered}; {@link #read()} serves from there before it asks the socket.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements RequestReader.Listener {

    private final Proxy proxy;
    private final LoopState loop;
    private final ClientTimeouts timeouts;
    private final RequestReader reader;
    private ChannelHandlerContext ctx;
    private byte[] clientIpBytes;
    private boolean trustedClient;
    private Exchange exchange;
    private boolean closing;
    private boolean tunnel;
    private ByteBuf buffered;
    private boolean wanted;    // the connection or its exchange wants more of the request
    private boolean pumping;   // inside pump(): a read() from a callback only sets wanted

    ClientConnection(Proxy proxy, LoopState loop, ClientTimeouts timeouts, ProxyConfig config) {
        this.proxy = proxy;
        this.loop = loop;
        this.timeouts = timeouts;
        this.reader = new RequestReader(config.maxInitialLineLength(), config.maxHeaderSize(), this);
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

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        clientIpBytes = ForwardedHeaders.clientIp(ctx.channel().remoteAddress()).getBytes(StandardCharsets.US_ASCII);
        trustedClient = proxy.forwardedHeaders().isTrusted(ctx.channel().remoteAddress());
        loop.clients.add(this);
        read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (tunnel) {
            if (exchange != null) {
                exchange.onClientBytes(bytes);
            } else {
                bytes.release();
            }
            return;
        }
        if (closing) {
            bytes.release();
            return;
        }
        buffered = buffered == null ? bytes : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), buffered, bytes);
        pump();
    }

    /** Asks for more of the request: from the bytes already here, else from the socket. */
    void read() {
        if (tunnel) {
            ctx.read(); // raw bytes now, straight to the exchange
            return;
        }
        wanted = true;
        pump();
    }

    private void pump() {
        if (pumping) {
            return;
        }
        pumping = true;
        try {
            while (wanted && !closing && !tunnel) {
                if (buffered == null) {
                    ctx.read();
                    return; // wanted stays set: the bytes go on from channelRead
                }
                wanted = false;
                RequestReader.Progress progress = reader.read(buffered);
                if (buffered != null && !buffered.isReadable()) {
                    buffered.release();
                    buffered = null;
                }
                if (progress == RequestReader.Progress.NEEDS_BYTES) {
                    wanted = true; // what is here is not enough: only the socket can help
                    ctx.read();
                    return;
                }
            }
        } finally {
            pumping = false;
        }
    }

    // --- what the reader finds ---

    @Override
    public void onRequestHead(RequestHead head) {
        boolean bodyless = head.bodyless();
        timeouts.requestHeadReceived(!bodyless);
        String host = head.host();
        String target = head.target();
        Service service = proxy.routes().resolve(host, target);
        if (service == null) {
            respondError(HttpResponseStatus.NOT_FOUND, "no service is routed for host '" + host + "' and path '"
                    + RoutingTable.pathOf(target) + "'", head.keepAlive && bodyless);
            return;
        }
        exchange = new Exchange(this, loop, service, head, head.render(ctx.alloc(), clientIpBytes, trustedClient));
        exchange.start();
    }

    @Override
    public void onRequestBody(ByteBuf content) {
        if (exchange != null) {
            exchange.onRequestBody(content);
        } else {
            content.release();
        }
    }

    @Override
    public void onRequestEnd(ByteBuf trailers) {
        if (exchange != null) {
            exchange.onRequestEnd(trailers);
        } else if (trailers != null) {
            trailers.release();
        }
    }

    @Override
    public void onRequestRejected(HttpResponseStatus status, String sentence) {
        if (exchange != null) {
            exchange.onRequestMalformed(sentence);
            return;
        }
        closing = true;
        ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), status, sentence, false)).addListener(ChannelFutureListener.CLOSE);
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
        reader.next();
        read();
    }

    void respondError(HttpResponseStatus status, String sentence, boolean keepAlive) {
        exchange = null;
        boolean keep = keepAlive && !proxy.isShuttingDown();
        ChannelFuture written = ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), status, sentence, keep));
        if (keep) {
            timeouts.responseCompleted();
            reader.next();
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
     * After a 101: the connection is a tunnel from now on. Bytes that came after the upgrade
     * request are the first of it.
     */
    void beginTunnel() {
        tunnel = true;
        reader.stop();
        ctx.pipeline().remove(ClientTimeouts.class);
        ByteBuf early = buffered;
        buffered = null;
        if (early != null && early.isReadable() && exchange != null) {
            exchange.onClientBytes(early);
        } else if (early != null) {
            early.release();
        }
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
        reader.stop();
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
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
