package dev.cutover.server.control;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * How a handler answers: once with {@link #json}, or with {@link #stream} then any number of
 * {@link #line}s then {@link #end}. Safe to call from any thread; calls are applied in order.
 *
 * <p>Every answer carries {@code Connection: close}: one request per connection keeps a handler's
 * life and its client's connection one and the same, which is what {@link #clientGone()} reports.
 *
 * <p>Backpressure: {@link #line} waits (on the handler's thread, never an event loop) while the
 * connection's outbound buffer is full. A client that reads nothing for the stall timeout is
 * declared gone: its connection is closed and later lines are dropped, so a stuck terminal can
 * neither grow the daemon's memory nor hold up a deploy.
 */
public final class ControlResponse {

    private static final Logger log = LoggerFactory.getLogger(ControlResponse.class);
    static final String JSON = "application/json";
    static final String NDJSON = "application/x-ndjson";
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private enum State { NEW, STREAMING, DONE }

    private final Channel channel;
    private final long stallNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();
    private State state = State.NEW;
    private volatile boolean abandoned;

    ControlResponse(Channel channel, Duration stallTimeout) {
        this.channel = channel;
        this.stallNanos = stallTimeout.toNanos();
    }

    /** Answers with one JSON document and {@code Content-Length}. */
    public void json(int status, Object value) {
        send(status, value, Map.of());
    }

    /** Answers {@code {"error": message}}: the message is what the operator reads, make it a sentence. */
    public void error(int status, String message) {
        json(status, Map.of("error", message));
    }

    /** Starts an NDJSON answer ({@code application/x-ndjson}, chunked). */
    public void stream(int status) {
        lock.lock();
        try {
            requireState(State.NEW, "stream()");
            state = State.STREAMING;
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
            head.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, NDJSON)
                    .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            channel.writeAndFlush(head);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes one line of the stream and flushes it. Waits while the client is slow to read; drops
     * the line when the client is gone. A line must not be an object with {@code error} as its only
     * field: that shape ends a failed stream, and {@link ControlClient} reports it as a failure.
     */
    public void line(Object value) {
        byte[] bytes = lineBytes(value);
        lock.lock();
        try {
            requireState(State.STREAMING, "line()");
            if (awaitWritable()) {
                channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ends the stream and closes the connection. */
    public void end() {
        lock.lock();
        try {
            requireState(State.STREAMING, "end()");
            state = State.DONE;
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } finally {
            lock.unlock();
        }
    }

    /** True once the client closed its connection, or was declared gone for not reading. */
    public boolean clientGone() {
        return abandoned || !channel.isActive();
    }

    /** True once an answer has begun (a document sent, or a stream started). */
    public boolean started() {
        lock.lock();
        try {
            return state != State.NEW;
        } finally {
            lock.unlock();
        }
    }

    void send(int status, Object value, Map<String, String> headers) {
        FullHttpResponse response = jsonResponse(status, value); // serialised first: a failure here sends nothing
        lock.lock();
        try {
            if (state != State.NEW) {
                response.release();
                throw new IllegalStateException("json() after the answer began; answer exactly once");
            }
            state = State.DONE;
            headers.forEach(response.headers()::set);
            channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } finally {
            lock.unlock();
        }
    }

    /** After the handler returned: end an open stream; a handler that never answered is a bug, said loudly. */
    void afterHandler(ControlRequest request) {
        lock.lock();
        try {
            switch (state) {
                case NEW -> error(500, "the handler for " + request.method() + " " + request.path()
                        + " returned without answering; this is a bug in cutover");
                case STREAMING -> end();
                case DONE -> { }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The handler threw: answer with the failure, or end the stream with it. */
    void fail(ControlRequest request, Throwable failure) {
        int status;
        String message;
        if (failure instanceof ControlException control) {
            status = control.status();
            message = control.getMessage();
        } else if (failure instanceof InterruptedException) {
            status = 503;
            message = "the cutover daemon is shutting down and stopped " + request.method() + " " + request.path();
        } else {
            status = 500;
            message = failure.getMessage() != null ? failure.getMessage() : failure.getClass().getName();
            log.warn("control API handler for {} {} failed", request.method(), request.path(), failure);
        }
        lock.lock();
        try {
            switch (state) {
                case NEW -> error(status, message);
                case STREAMING -> {
                    if (!clientGone()) {
                        channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(lineBytes(Map.of("error", message)))));
                    }
                    end();
                }
                case DONE -> log.warn("control API handler for {} {} failed after answering: {}",
                        request.method(), request.path(), message);
            }
        } finally {
            lock.unlock();
        }
    }

    boolean done() {
        lock.lock();
        try {
            return state == State.DONE;
        } finally {
            lock.unlock();
        }
    }

    /** Called on the event loop when the channel's writability changes or it closes. */
    void wakeWriters() {
        lock.lock();
        try {
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called with the lock held. False when the client is gone (or has just been declared gone).
     * An interrupted handler stops waiting and writes anyway (its interrupt flag stays set): the
     * line is small and the handler is about to stop.
     */
    private boolean awaitWritable() {
        long deadline = System.nanoTime() + stallNanos;
        while (!clientGone() && !channel.isWritable()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                abandoned = true;
                log.warn("control API client on {} read nothing for {} ms; closing its connection and dropping the rest of its stream",
                        channel, TimeUnit.NANOSECONDS.toMillis(stallNanos));
                channel.close();
                return false;
            }
            try {
                writable.awaitNanos(Math.min(left, WAIT_SLICE_NANOS)); // sliced: a missed signal costs 20 ms, not the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return !clientGone();
    }

    private void requireState(State expected, String call) {
        if (state != expected) {
            throw new IllegalStateException(call + " is not allowed now (the answer is " + state
                    + "); answer with json() once, or stream(), line()..., end()");
        }
    }

    static FullHttpResponse jsonResponse(int status, Object value) {
        byte[] bytes;
        try {
            bytes = ControlJson.MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write the answer as JSON: " + e.getOriginalMessage(), e);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(bytes));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    private static byte[] lineBytes(Object value) {
        try {
            String json = ControlJson.MAPPER.writeValueAsString(value); // never contains a raw newline
            return (json + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write a stream line as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
