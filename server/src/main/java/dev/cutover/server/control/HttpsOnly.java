package dev.cutover.server.control;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * The first handler of the TLS control listener. A connection that opens with a TLS record gets an
 * {@link SslHandler}; one that opens with anything else (curl or a script with {@code http://}) gets a
 * 400 saying to use https, and nothing of its request reaches the API: its bytes are read and dropped.
 */
final class HttpsOnly extends OptionalSslHandler {

    HttpsOnly(SslContext context) {
        super(context);
    }

    @Override
    protected ChannelHandler newNonSslHandler(ChannelHandlerContext context) {
        return new PlainRequestRefusal();
    }

    @Override
    protected String newNonSslHandlerName() {
        return "plain-http-refusal";
    }

    /** Answers the first bytes once, in raw HTTP/1.1 (no codec sits in front of it), then drops everything. */
    private static final class PlainRequestRefusal extends ChannelInboundHandlerAdapter {

        private static final long DRAIN_SECONDS = 5;

        private boolean answered;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (answered) {
                return;
            }
            answered = true;
            String where = ctx.channel().localAddress() instanceof InetSocketAddress local
                    ? "https://" + hostForUrl(local) + ":" + local.getPort() : "https://HOST:PORT";
            byte[] body = json("this control listener speaks HTTPS only; send the request to " + where
                    + " (cutover commands: --url " + where + " --ca-cert FILE; curl: --cacert FILE)");
            String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n";
            ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body)).addListener(written -> {
                // Half-close and keep reading: closing with unread bytes sends a reset that can destroy the answer.
                if (ctx.channel() instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput();
                } else {
                    ctx.close();
                }
            });
            ctx.executor().schedule(() -> ctx.close(), DRAIN_SECONDS, TimeUnit.SECONDS);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private static String hostForUrl(InetSocketAddress local) {
            String host = local.getAddress().getHostAddress();
            return host.contains(":") ? "[" + host.replaceFirst("%.*$", "") + "]" : host;
        }

        private static byte[] json(String error) {
            try {
                return ControlJson.MAPPER.writeValueAsBytes(Map.of("error", error));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a one-string map always writes as JSON", e);
            }
        }
    }
}
