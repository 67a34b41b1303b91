package dev.cutover.server.control;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;

import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * One connection's request: route it, parse its body, and hand it to its handler on a virtual
 * thread. Everything before the hand-off is quick and runs on the event loop; the handler never does.
 */
final class ControlDispatcher extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(ControlDispatcher.class);

    private final ControlRoutes routes;
    private final Executor handlers;
    private final Duration stallTimeout;
    private volatile ControlResponse response; // read by ControlServer.close() from another thread

    ControlDispatcher(ControlRoutes routes, Executor handlers, Duration stallTimeout) {
        this.routes = routes;
        this.handlers = handlers;
        this.stallTimeout = stallTimeout;
    }

    /** The answer in progress on this connection, or null before its request arrived. */
    ControlResponse response() {
        return response;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest http) {
        if (response != null) {
            return; // one request per connection: the first answer closes it (Connection: close)
        }
        ControlResponse res = new ControlResponse(ctx.channel(), stallTimeout);
        response = res;
        if (http.decoderResult().isFailure()) {
            res.error(400, "malformed HTTP request: " + http.decoderResult().cause().getMessage());
            return;
        }
        String method = http.method().name();
        QueryStringDecoder uri = new QueryStringDecoder(http.uri());
        String path = uri.path();
        switch (routes.match(method, segments(uri.rawPath()))) {
            case ControlRoutes.Match.NotFound ignored ->
                    res.error(404, "the control API has no endpoint " + path);
            case ControlRoutes.Match.MethodNotAllowed notAllowed -> res.send(405,
                    Map.of("error", path + " does not accept " + method + "; it accepts " + String.join(", ", notAllowed.allowed())),
                    Map.of(HttpHeaderNames.ALLOW.toString(), String.join(", ", notAllowed.allowed())));
            case ControlRoutes.Match.Found found -> {
                JsonNode body;
                try {
                    body = body(http);
                } catch (IOException e) {
                    res.error(400, "the request body is not valid JSON: " + describe(e));
                    return;
                }
                ControlRequest request = new ControlRequest(method, path, found.params(), firstValues(uri.parameters()), body);
                try {
                    handlers.execute(() -> run(found.handler(), request, res));
                } catch (RejectedExecutionException e) {
                    res.error(503, "the cutover daemon is shutting down; try again once it is back");
                }
            }
        }
    }

    private static void run(ControlHandler handler, ControlRequest request, ControlResponse res) {
        try {
            handler.handle(request, res);
            res.afterHandler(request);
        } catch (Throwable failure) {
            res.fail(request, failure);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (response != null) {
            response.wakeWriters();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (response != null) {
            response.wakeWriters(); // a handler waiting to write learns its client is gone
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("control API connection {} failed; closing it", ctx.channel(), cause);
        ctx.close();
    }

    private static JsonNode body(FullHttpRequest http) throws IOException {
        if (!http.content().isReadable()) {
            return NullNode.getInstance();
        }
        try (ByteBufInputStream in = new ByteBufInputStream(http.content())) {
            JsonNode node = ControlJson.MAPPER.readTree(in);
            return node == null || node.isMissingNode() ? NullNode.getInstance() : node;
        }
    }

    private static String describe(IOException e) {
        if (e instanceof JsonProcessingException json && json.getLocation() != null) {
            return json.getOriginalMessage() + " (line " + json.getLocation().getLineNr()
                    + ", column " + json.getLocation().getColumnNr() + ")";
        }
        return e.getMessage();
    }

    /** Split on '/' before decoding, so an encoded slash stays inside its parameter. */
    private static List<String> segments(String rawPath) {
        String trimmed = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        List<String> segments = new ArrayList<>();
        for (String raw : trimmed.split("/", -1)) {
            segments.add(QueryStringDecoder.decodeComponent(raw.replace("+", "%2B"))); // '+' is a space only in queries
        }
        return segments;
    }

    private static Map<String, String> firstValues(Map<String, List<String>> parameters) {
        Map<String, String> first = new LinkedHashMap<>();
        parameters.forEach((name, values) -> first.put(name, values.isEmpty() ? "" : values.get(0)));
        return first;
    }
}
