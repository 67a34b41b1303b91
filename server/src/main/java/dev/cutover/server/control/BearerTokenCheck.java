package dev.cutover.server.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
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
    private static final long DRAIN_SECONDS = 5;

    private final byte[] expectedDigest;
    private boolean rejected;
    private boolean answerWritten;
    private boolean bodyDrained;

    BearerTokenCheck(String token) {
        this.expectedDigest = sha256(token);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!rejected && msg instanceof HttpRequest request && !authorized(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            rejected = true;
            FullHttpResponse answer = ControlResponse.jsonResponse(401, Map.of("error",
                    "the control API on TCP needs the header `Authorization: Bearer <token>` with the token from"
                            + " control.token_file; it was missing or wrong"));
            answer.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
            ctx.writeAndFlush(answer).addListener(written -> {
                answerWritten = true;
                closeWhenDone(ctx);
            });
            ctx.executor().schedule(() -> ctx.close(), DRAIN_SECONDS, TimeUnit.SECONDS);
        }
        if (!rejected) {
            ctx.fireChannelRead(msg);
            return;
        }
        // The refused request's body, or anything after it: read and dropped. Closing TCP with
        // unread bytes sends a reset, which can destroy the 401 before the client has read it.
        if (msg instanceof LastHttpContent) {
            bodyDrained = true;
        }
        ReferenceCountUtil.release(msg);
        closeWhenDone(ctx);
    }

    private void closeWhenDone(ChannelHandlerContext ctx) {
        if (answerWritten && bodyDrained) {
            ctx.close();
        }
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
