package dev.cutover.server.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;

/**
 * Lets a TCP request through only with {@code Authorization: Bearer <token>}. Sits before the body
 * aggregator, so a stranger cannot make the daemon buffer a megabyte before being turned away.
 *
 * <p>Both tokens are hashed before the comparison: {@link MessageDigest#isEqual} then runs in
 * constant time over equal lengths, and the token's length does not leak either.
 */
final class BearerTokenCheck extends ChannelInboundHandlerAdapter {

    private static final String SCHEME = "Bearer ";

    private final byte[] expectedDigest;
    private boolean rejected;

    BearerTokenCheck(String token) {
        this.expectedDigest = sha256(token);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg); // the rest of a refused request, or anything after it
            return;
        }
        if (msg instanceof HttpRequest request && !authorized(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            rejected = true;
            ReferenceCountUtil.release(msg);
            FullHttpResponse answer = ControlResponse.jsonResponse(401, Map.of("error",
                    "the control API on TCP needs the header `Authorization: Bearer <token>` with the token from"
                            + " control.token_file; it was missing or wrong"));
            answer.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        return MessageDigest.isEqual(expectedDigest, sha256(header.substring(SCHEME.length()).trim()));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256, which every Java platform must provide", e);
        }
    }
}
