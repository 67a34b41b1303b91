package dev.cutover.sample;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * Echoes text and binary WebSocket frames back as they come. Ping, pong and the close handshake are
 * answered by Netty's WebSocketServerProtocolHandler in front of this one.
 * <p>
 * Once upgraded, the connection reads on its own but only while its echoes drain: a client that
 * sends faster than it reads is slowed down instead of filling our memory.
 */
final class WebSocketEcho extends ChannelInboundHandlerAdapter {

    private boolean upgraded;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            upgraded = true;
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            // The frame goes back out as it came; the encoder releases it once written.
            ctx.writeAndFlush(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (upgraded) {
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }
}
