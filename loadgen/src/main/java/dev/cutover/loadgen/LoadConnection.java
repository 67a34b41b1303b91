package dev.cutover.loadgen;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One closed loop: a single request in flight at a time on one keep-alive connection, the next sent as
 * soon as the previous one is recorded. When the server closes the connection, the next request opens
 * a new one. Everything here runs on one event loop, so nothing needs a lock.
 *
 * <p>Every request issued ends in exactly one record: {@link #end} is the only place that records, and
 * {@code inFlight} guards it. Failures close the connection; only complete responses may keep it.
 *
 * <p>Sharable because it serves this loop's successive channels, one at a time; events from a channel
 * that is no longer the current one are ignored.
 */
@ChannelHandler.Sharable
final class LoadConnection extends ChannelInboundHandlerAdapter {

    /** Enough for an upload echo; a server that answers with a novel must not grow our memory. */
    private static final int MAX_ECHO_CHARS = 4096;

    private final LoadGenerator generator;
    private final Bootstrap bootstrap;
    private final EventLoop eventLoop;
    private final RequestHeads heads;
    private final RequestMix mix;
    private final long timeoutNanos;
    private final AsciiString versionHeader;
    private final UploadBody upload;
    private final StringBuilder echo = new StringBuilder();

    /** The connection requests go to; null until the next request opens one. */
    private Channel channel;
    private boolean finished;

    // The request in flight.
    private boolean inFlight;
    private long sequence;
    private RequestKind kind;
    private long startNanos;
    private long dispatchNanos;
    private boolean dispatched;
    private int status;
    private String version;
    private boolean keepAlive;
    /** Body chunks are still to be written. */
    private boolean uploading;
    /** Inside a 1xx response, which precedes the real one. */
    private boolean informational;
    private ScheduledFuture<?> timeout;

    LoadConnection(LoadGenerator generator, Bootstrap bootstrap, EventLoop eventLoop, RequestHeads heads,
                   LoadSettings settings) {
        this.generator = generator;
        this.eventLoop = eventLoop;
        this.heads = heads;
        this.mix = settings.mix();
        this.timeoutNanos = settings.requestTimeout().toNanos();
        this.versionHeader = AsciiString.of(settings.versionHeader());
        this.upload = new UploadBody(settings.uploadBytes());
        final HttpDecoderConfig decoding = new HttpDecoderConfig();
        this.bootstrap = bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpResponseDecoder(decoding), LoadConnection.this);
            }
        });
    }

    void start() {
        eventLoop.execute(this::next);
    }

    /** Ends the request in flight now; only for a stop that waited too long. */
    void abort() {
        eventLoop.execute(() -> {
            if (inFlight) {
                fail(FailureCause.TIMEOUT, "still in flight when the run was stopped");
            }
        });
    }

    private void next() {
        if (inFlight || finished) {
            return;
        }
        final long claimed = generator.claim();
        if (claimed == 0) {
            finish();
            return;
        }
        inFlight = true;
        sequence = claimed;
        kind = mix.kindOf(claimed);
        startNanos = System.nanoTime();
        dispatchNanos = startNanos;
        dispatched = false;
        status = 0;
        version = null;
        keepAlive = true;
        uploading = false;
        informational = false;
        echo.setLength(0);
        timeout = eventLoop.schedule(() -> onTimeout(claimed), timeoutNanos, TimeUnit.NANOSECONDS);
        if (channel != null && channel.isActive()) {
            send(channel);
        } else {
            connect();
        }
    }

    private void connect() {
        forget(channel);
        final ChannelFuture connecting = bootstrap.connect();
        channel = connecting.channel();
        connecting.addListener((ChannelFutureListener) connected -> {
            if (connected.channel() != channel || !inFlight) {
                return; // the request timed out while connecting
            }
            if (connected.isSuccess()) {
                send(connected.channel());
            } else {
                fail(connectFailure(connected.cause()),
                        "cannot connect to " + bootstrap.config().remoteAddress() + ": " + describe(connected.cause()));
            }
        });
    }

    private void send(Channel ch) {
        dispatchNanos = System.nanoTime();
        dispatched = true;
        if (kind != RequestKind.UPLOAD) {
            ch.writeAndFlush(heads.forKind(kind), ch.voidPromise());
            return;
        }
        // Armed before the first write: a write that fails at once ends the request (and disarms this).
        upload.reset(sequence);
        uploading = true;
        ch.write(heads.forKind(RequestKind.UPLOAD), ch.voidPromise());
        writeBody(ch);
    }

    /** Writes body chunks while the socket keeps up; {@link #channelWritabilityChanged} resumes. */
    private void writeBody(Channel ch) {
        while (uploading && upload.hasRemaining() && ch.isWritable()) {
            ch.write(upload.nextChunk(ch.alloc()), ch.voidPromise());
        }
        if (uploading && !upload.hasRemaining()) {
            uploading = false;
        }
        ch.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel() == channel && uploading && ctx.channel().isWritable()) {
            writeBody(ctx.channel());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (ctx.channel() != channel) {
                return; // a connection already given up on
            }
            if (!inFlight) {
                // A response nobody asked for: this connection's framing can no longer be trusted.
                forget(ctx.channel());
                return;
            }
            if (!(msg instanceof HttpObject http)) {
                fail(FailureCause.MALFORMED_RESPONSE, "bytes after the response that are not HTTP");
                return;
            }
            if (http.decoderResult().isFailure()) {
                fail(FailureCause.MALFORMED_RESPONSE, "invalid HTTP response: " + describe(http.decoderResult().cause()));
                return;
            }
            if (http instanceof HttpResponse response) {
                onHead(response);
            }
            if (http instanceof HttpContent content) {
                onContent(content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpResponse response) {
        final int code = response.status().code();
        if (code < 100 || code > 599) {
            fail(FailureCause.MALFORMED_RESPONSE, "status " + code + " is not an HTTP status");
            return;
        }
        if (code < 200 && code != 101) {
            informational = true;
            return;
        }
        status = code;
        version = response.headers().get(versionHeader);
        keepAlive = code != 101 && HttpUtil.isKeepAlive(response);
    }

    private void onContent(HttpContent content) {
        if (!inFlight) {
            return;
        }
        if (informational) {
            informational = !(content instanceof LastHttpContent);
            return;
        }
        if (kind == RequestKind.UPLOAD && echo.length() < MAX_ECHO_CHARS) {
            final int take = Math.min(content.content().readableBytes(), MAX_ECHO_CHARS - echo.length());
            echo.append(content.content().toString(content.content().readerIndex(), take, StandardCharsets.US_ASCII));
        }
        if (content instanceof LastHttpContent) {
            complete();
        }
    }

    private void complete() {
        FailureCause cause = null;
        String detail = null;
        if (status >= 500) {
            cause = FailureCause.HTTP_5XX;
            detail = "the server answered " + status;
        } else if (kind == RequestKind.UPLOAD && status >= 200 && status < 300) {
            detail = uploading
                    ? "the server answered " + status + " before the whole body was sent"
                    : upload.mismatch(echo);
            cause = detail == null ? null : FailureCause.BAD_BODY;
        }
        // A connection with half a body on it cannot carry the next request.
        final boolean reusable = keepAlive && !uploading;
        final Channel ch = channel;
        end(cause, detail);
        if (!reusable) {
            forget(ch);
        }
        next();
    }

    private void onTimeout(long timedOut) {
        if (!inFlight || sequence != timedOut) {
            return;
        }
        timeout = null;
        fail(FailureCause.TIMEOUT, String.format(Locale.ROOT, "no complete response within %d ms%s",
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos), dispatched ? "" : " (still connecting)"));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (ctx.channel() == channel) {
            channel = null;
            if (inFlight) {
                fail(FailureCause.PREMATURE_CLOSE, status == 0
                        ? "the server closed the connection before answering"
                        : "the server closed the connection in the middle of a " + status + " response");
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (ctx.channel() != channel) {
            ctx.close();
            return;
        }
        if (inFlight) {
            // Resets, broken pipes and writes to a closed socket are I/O errors; anything else means the
            // bytes received could not be understood.
            fail(cause instanceof IOException ? FailureCause.PREMATURE_CLOSE : FailureCause.MALFORMED_RESPONSE,
                    describe(cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause));
        } else {
            forget(ctx.channel());
        }
    }

    private void fail(FailureCause cause, String detail) {
        final Channel ch = channel;
        end(cause, detail);
        forget(ch);
        // Not inline: a connect can fail synchronously, and a run of those would recurse without bound.
        eventLoop.execute(this::next);
    }

    private void end(FailureCause cause, String detail) {
        inFlight = false;
        uploading = false;
        informational = false;
        if (timeout != null) {
            timeout.cancel(false);
            timeout = null;
        }
        generator.record(new RequestRecord(sequence, kind, startNanos, dispatchNanos, System.nanoTime(),
                status, version, cause, detail));
    }

    private void finish() {
        if (!finished) {
            finished = true;
            forget(channel);
            generator.connectionFinished();
        }
    }

    private void forget(Channel ch) {
        if (ch != null) {
            ch.close();
            if (channel == ch) {
                channel = null;
            }
        }
    }

    private static FailureCause connectFailure(Throwable cause) {
        final String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        return cause instanceof ConnectException && message.contains("refused")
                ? FailureCause.CONNECT_REFUSED
                : FailureCause.CONNECT_FAILED;
    }

    private static String describe(Throwable cause) {
        final String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
