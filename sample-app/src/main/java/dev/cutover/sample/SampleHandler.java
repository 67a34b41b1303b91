package dev.cutover.sample;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.netty.handler.codec.http.HttpMethod.GET;
import static io.netty.handler.codec.http.HttpMethod.HEAD;
import static io.netty.handler.codec.http.HttpMethod.POST;

/**
 * Serves the sample endpoints on one connection, one request at a time.
 * <p>
 * Auto-read is off: this handler reads a request and its body, answers, and asks for the next request
 * only once the answer is written. Pipelined requests wait in the FlowControlHandler in front instead
 * of overlapping, and an upload is read only as fast as it is hashed.
 * <p>
 * More input is asked for in {@link #channelReadComplete}, not in {@link #channelRead}: the
 * FlowControlHandler forgets read requests that are still unmet when a read cycle completes, so a
 * request made mid-cycle can be lost, and the completion is the one moment it is never lost.
 */
final class SampleHandler extends ChannelInboundHandlerAdapter {

    static final String X_VERSION = "X-Version";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";

    private final SampleOptions options;
    private final ErrorInjection errors;
    private final InFlightRequests inFlight;

    // The request being served, or null between requests; non-null exactly while it counts as in flight.
    // Like the fields below, it is only touched on this channel's event loop.
    private HttpRequest request;
    private boolean wantsInput = true; // false from a request's last byte until its answer is written
    private boolean keepAlive;
    private UploadDigest upload;
    private DownloadWriter download;
    private ScheduledFuture<?> slowAnswer;

    SampleHandler(SampleOptions options, ErrorInjection errors, InFlightRequests inFlight) {
        this.options = options;
        this.errors = errors;
        this.inFlight = inFlight;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpObject http)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (http instanceof HttpRequest head) {
                begin(ctx, head);
            }
            if (request == null) {
                return; // a leftover of a request already answered (after a 400), nothing to do
            }
            if (http.decoderResult().isFailure()) {
                refuse(ctx, HttpResponseStatus.BAD_REQUEST, "bad request: " + http.decoderResult().cause().getMessage());
                return;
            }
            if (http instanceof HttpRequest head && unsupportedExpectation(head)) {
                refuse(ctx, HttpResponseStatus.EXPECTATION_FAILED, "the only expectation we meet is Expect: 100-continue");
                return;
            }
            if (http instanceof HttpContent content && upload != null) {
                upload.update(content.content());
            }
            if (http instanceof LastHttpContent) {
                wantsInput = false;
                serve(ctx);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (wantsInput) {
            ctx.read(); // the next request, or the rest of this one's body
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            // The connection speaks WebSocket now and WebSocketEcho paces its reads; our reads would undo that.
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (download != null && ctx.channel().isWritable()) {
            download.resume();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        end(); // the connection died mid-request: that request is no longer in flight
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A client resetting its connection is part of life for a test backend; anything else is worth a line.
        if (!(cause instanceof IOException)) {
            System.err.println("sample-app " + options.version() + ": closing the connection from " + ctx.channel().remoteAddress()
                    + " after an unexpected error: " + cause);
        }
        ctx.close();
    }

    private void begin(ChannelHandlerContext ctx, HttpRequest head) {
        request = head;
        keepAlive = HttpUtil.isKeepAlive(head);
        inFlight.begin();
        if (POST.equals(head.method()) && path(head).equals("/upload")) {
            upload = new UploadDigest();
        }
        // We are the origin, so a client that sent Expect: 100-continue hears 100 from us (a proxy must
        // relay it). It goes out after the request is counted, so whoever sees the 100 knows we hold the request.
        if (HttpUtil.is100ContinueExpected(head)) {
            head.headers().remove(HttpHeaderNames.EXPECT);
            final FullHttpResponse proceed = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER);
            proceed.headers().set(X_VERSION, options.version());
            ctx.writeAndFlush(proceed, ctx.voidPromise());
        }
    }

    /** Uncounts the current request, once, however it ended: answered, or its connection lost. */
    private void end() {
        if (request == null) {
            return;
        }
        if (slowAnswer != null) {
            slowAnswer.cancel(false);
        }
        request = null;
        upload = null;
        download = null;
        slowAnswer = null;
        inFlight.end();
    }

    private void serve(ChannelHandlerContext ctx) {
        final QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        switch (uri.path()) {
            case "/" -> {
                if (allowed(ctx, GET, HEAD)) {
                    respond(ctx, errors.nextFails() ? injectedError() : text(HttpResponseStatus.OK, options.version() + "\n"));
                }
            }
            case "/health" -> {
                if (allowed(ctx, GET, HEAD)) {
                    respond(ctx, options.neverHealthy()
                            ? text(HttpResponseStatus.SERVICE_UNAVAILABLE, "unhealthy: version " + options.version() + " is set to never_healthy\n")
                            : text(HttpResponseStatus.OK, "ok\n"));
                }
            }
            case "/slow" -> {
                if (allowed(ctx, GET, HEAD)) {
                    slow(ctx, uri);
                }
            }
            case "/upload" -> {
                if (allowed(ctx, POST)) {
                    respond(ctx, errors.nextFails() ? injectedError() : full(HttpResponseStatus.OK, JSON, upload.toJson()));
                }
            }
            case "/download" -> {
                if (allowed(ctx, GET)) {
                    download(ctx, uri);
                }
            }
            case "/status" -> {
                if (allowed(ctx, GET, HEAD)) {
                    status(ctx, uri);
                }
            }
            case "/headers" -> {
                if (allowed(ctx, GET, HEAD)) {
                    respond(ctx, full(HttpResponseStatus.OK, JSON, HeadersJson.of(request.headers())));
                }
            }
            default -> respond(ctx, text(HttpResponseStatus.NOT_FOUND, "not found: " + uri.path() + "\n"));
        }
    }

    /** {@code /slow?ms=N}: answers like {@code /} after N ms, timed by the event loop so no thread waits. */
    private void slow(ChannelHandlerContext ctx, QueryStringDecoder uri) {
        final Long ms = number(uri, "ms");
        if (ms == null) {
            respond(ctx, text(HttpResponseStatus.BAD_REQUEST, "/slow needs ms, a whole number of milliseconds, e.g. /slow?ms=500\n"));
            return;
        }
        final boolean fails = errors.nextFails();
        slowAnswer = ctx.executor().schedule(() -> {
            slowAnswer = null;
            respond(ctx, fails ? injectedError() : text(HttpResponseStatus.OK, options.version() + "\n"));
        }, ms, TimeUnit.MILLISECONDS);
    }

    /** {@code /download?bytes=N[&chunked=1]}: N bytes of {@link SamplePattern}, streamed with backpressure. */
    private void download(ChannelHandlerContext ctx, QueryStringDecoder uri) {
        final Long bytes = number(uri, "bytes");
        if (bytes == null) {
            respond(ctx, text(HttpResponseStatus.BAD_REQUEST, "/download needs bytes, a whole number, e.g. /download?bytes=1048576\n"));
            return;
        }
        final HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        final String chunked = param(uri, "chunked");
        if ("1".equals(chunked) || "true".equals(chunked)) {
            HttpUtil.setTransferEncodingChunked(head, true);
        } else {
            HttpUtil.setContentLength(head, bytes);
        }
        final boolean close = decorate(head);
        download = new DownloadWriter(ctx, head, bytes, lastWrite -> afterLastWrite(ctx, lastWrite, close));
        download.resume();
    }

    /** {@code /status?code=N}: an empty answer with that status, for 204, 304, 418, 503 and friends. */
    private void status(ChannelHandlerContext ctx, QueryStringDecoder uri) {
        final Long code = number(uri, "code");
        if (code == null || code < 200 || code > 599) {
            respond(ctx, text(HttpResponseStatus.BAD_REQUEST, "/status needs code, a status from 200 to 599, e.g. /status?code=503\n"));
            return;
        }
        final HttpResponseStatus status = HttpResponseStatus.valueOf(code.intValue());
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER);
        // 204 and 304 never carry a body, and a Content-Length on them would be wrong or misleading.
        if (code != 204 && code != 304) {
            HttpUtil.setContentLength(response, 0);
        }
        respond(ctx, response);
    }

    private boolean allowed(ChannelHandlerContext ctx, HttpMethod... methods) {
        final List<HttpMethod> accepted = List.of(methods);
        if (accepted.contains(request.method())) {
            return true;
        }
        final FullHttpResponse refusal = text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                request.method() + " is not supported on " + path(request) + "\n");
        refusal.headers().set(HttpHeaderNames.ALLOW, String.join(", ", accepted.stream().map(HttpMethod::name).toList()));
        respond(ctx, refusal);
        return false;
    }

    /** Answers and closes: after a malformed or refused request we cannot tell where the next one starts. */
    private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String reason) {
        keepAlive = false;
        wantsInput = false;
        respond(ctx, text(status, reason + "\n"));
    }

    private FullHttpResponse injectedError() {
        return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "error\n");
    }

    private FullHttpResponse text(HttpResponseStatus status, String body) {
        return full(status, TEXT, body);
    }

    /** A complete response; for HEAD, the same head (Content-Length included) without the body. */
    private FullHttpResponse full(HttpResponseStatus status, String contentType, String body) {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        final ByteBuf content = HEAD.equals(request.method()) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, bytes.length);
        return response;
    }

    private void respond(ChannelHandlerContext ctx, FullHttpResponse response) {
        final boolean close = decorate(response);
        afterLastWrite(ctx, ctx.writeAndFlush(response), close);
    }

    /** Adds the headers every answer carries; returns whether the connection closes after it. */
    private boolean decorate(HttpResponse response) {
        response.headers().set(X_VERSION, options.version());
        // While draining, ask clients to go elsewhere: a connection we keep open would only bring new work.
        final boolean close = !keepAlive || inFlight.draining();
        HttpUtil.setKeepAlive(response.headers(), request.protocolVersion(), !close);
        return close;
    }

    private void afterLastWrite(ChannelHandlerContext ctx, ChannelFuture lastWrite, boolean close) {
        lastWrite.addListener((ChannelFutureListener) written -> {
            end();
            if (close || !written.isSuccess()) {
                ctx.close();
            } else {
                wantsInput = true;
                ctx.read(); // the next request on this keep-alive connection
            }
        });
    }

    private static boolean unsupportedExpectation(HttpRequest head) {
        final String expect = head.headers().get(HttpHeaderNames.EXPECT);
        return expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect.trim());
    }

    private static String path(HttpRequest head) {
        return new QueryStringDecoder(head.uri()).path();
    }

    private static String param(QueryStringDecoder uri, String name) {
        final List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** A non-negative whole-number query parameter, or null when it is missing or not one. */
    private static Long number(QueryStringDecoder uri, String name) {
        final String value = param(uri, name);
        if (value == null || value.isEmpty() || value.length() > 18 || !value.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Long.parseLong(value);
    }
}
