package dev.cutover.server.control;

import java.util.Map;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Collects a request's body up to a limit and answers 413 with a JSON error above it (Netty's own
 * answer is an empty body, which the CLI could not explain to anyone).
 */
final class LimitedBodyAggregator extends HttpObjectAggregator {

    private final int maxBytes;

    LimitedBodyAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // The aggregator releases `oversized` and drops the rest of its body; we only answer.
        ctx.writeAndFlush(ControlResponse.jsonResponse(413, Map.of("error",
                        "the request body is larger than the control API's limit of " + maxBytes + " bytes")))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
