package dev.cutover.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * The client side's clocks, as nginx has them: a header timeout from a request's first byte (or
 * the accept) until its head is decoded, which is what stops slowloris; an idle timeout on a
 * keep-alive connection between requests; and the same idle timeout on a request body that
 * stops arriving while we are asking for it. Sits next to the socket to see the first byte.
 */
final class ClientTimeouts extends ChannelDuplexHandler {

    private enum State { AWAITING_REQUEST, READING_HEADERS, READING_BODY, BUSY }

    private final long headerTimeoutNanos;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private ConnectionTimer timer;
    private State state = State.AWAITING_REQUEST;
    private boolean sawBytes;

    ClientTimeouts(ProxyConfig config) {
        this.headerTimeoutNanos = config.clientHeaderTimeout().toNanos();
        this.idleTimeoutNanos = config.clientIdleTimeout().toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timer = new ConnectionTimer(ctx.channel().eventLoop(), this::expired);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer.arm(headerTimeoutNanos); // a connection that never sends a request is a slowloris too
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            if (state == State.AWAITING_REQUEST) {
                state = State.READING_HEADERS;
                sawBytes = true;
                timer.arm(headerTimeoutNanos);
            } else if (state == State.READING_BODY) {
                timer.disarm();
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (state == State.READING_BODY) {
            timer.arm(idleTimeoutNanos); // we are waiting on the client now, not on the app
        }
        ctx.read();
    }

    void requestHeadReceived(boolean bodyExpected) {
        state = bodyExpected ? State.READING_BODY : State.BUSY;
        timer.disarm();
    }

    void requestBodyReceived() {
        if (state == State.READING_BODY) {
            state = State.BUSY;
            timer.disarm();
        }
    }

    void responseCompleted() {
        state = State.AWAITING_REQUEST;
        sawBytes = false;
        timer.arm(idleTimeoutNanos);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        timer.stop();
        ctx.fireChannelInactive();
    }

    private void expired() {
        if (state == State.READING_HEADERS && sawBytes) {
            ctx.channel().writeAndFlush(ErrorResponses.of(ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT,
                            "the request headers did not arrive in time", false))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.channel().close(); // an exchange in progress learns of it through channelInactive
        }
    }
}
