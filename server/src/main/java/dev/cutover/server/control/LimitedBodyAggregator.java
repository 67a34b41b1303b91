package dev.cutover.server.control;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Collects a request's body up to a limit and answers 413 with a JSON error above it (Netty's own
 * answer is an empty body, which the CLI could not explain to anyone).
 */
final class LimitedBodyAggregator extends HttpObjectAggregator {

    private static final long CLOSE_DELAY_SECONDS = 2;

    private final int maxBytes;

    LimitedBodyAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // The aggregator releases `oversized` and keeps reading and dropping the rest of its body;
        // we only answer. The close waits a little: on TCP, closing with unread bytes sends a
        // reset, which can destroy the 413 before the client reads it. The client closes first.
        ctx.writeAndFlush(ControlResponse.jsonResponse(413, Map.of("error",
                        "the request body is larger than the control API's limit of " + maxBytes + " bytes")))
                .addListener(written -> ctx.executor().schedule(() -> ctx.close(), CLOSE_DELAY_SECONDS, TimeUnit.SECONDS));
    }
}
