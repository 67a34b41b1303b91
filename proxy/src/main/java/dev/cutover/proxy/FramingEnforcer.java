package dev.cutover.proxy;

import java.util.Iterator;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

/**
 * Rejects requests whose framing is ambiguous or broken before anything is forwarded: 414 for a
 * request line over the limit, 431 for headers over the limit, 400 for anything malformed, and
 * the connection closed after each, since nobody can tell where the next request would begin.
 *
 * <p>Request smuggling (Content-Length with Transfer-Encoding, differing Content-Lengths, a last
 * coding other than chunked, Transfer-Encoding on HTTP/1.0) is detected inside the decoder,
 * configured for RFC 9112 in {@link ClientInitializer}: a check here, after the codec, would never
 * see a Content-Length the decoder had already dropped. This handler turns those verdicts into
 * responses, and adds what the decoder does not check: exactly one Host on HTTP/1.1.
 */
final class FramingEnforcer extends ChannelInboundHandlerAdapter {

    private final int maxInitialLineLength;
    private final int maxHeaderSize;
    private boolean rejected;

    FramingEnforcer(ProxyConfig config) {
        this.maxInitialLineLength = config.maxInitialLineLength();
        this.maxHeaderSize = config.maxHeaderSize();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (rejected) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            Rejection rejection = check(request);
            if (rejection != null) {
                rejected = true;
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(ErrorResponses.of(ctx.alloc(), rejection.status(), rejection.sentence(), false))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private record Rejection(HttpResponseStatus status, String sentence) {
    }

    private Rejection check(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return new Rejection(HttpResponseStatus.REQUEST_URI_TOO_LONG,
                        "the request line is longer than " + maxInitialLineLength + " bytes");
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return new Rejection(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        "the request headers are larger than " + maxHeaderSize + " bytes");
            }
            return new Rejection(HttpResponseStatus.BAD_REQUEST,
                    "malformed request: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
        }
        if (request.protocolVersion().minorVersion() >= 1) {
            int hosts = hostCount(request);
            if (hosts != 1) {
                return new Rejection(HttpResponseStatus.BAD_REQUEST,
                        "an HTTP/1.1 request needs exactly one Host header, this one has " + hosts);
            }
        }
        return null;
    }

    /** How many Host headers the request has; counted without building a list, as every request pays it. */
    private static int hostCount(HttpRequest request) {
        Iterator<String> hosts = request.headers().valueStringIterator(HttpHeaderNames.HOST);
        int count = 0;
        while (hosts.hasNext()) {
            hosts.next();
            count++;
        }
        return count;
    }
}
