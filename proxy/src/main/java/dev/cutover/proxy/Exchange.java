package dev.cutover.proxy;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * One request's journey: dispatch to the service's current target, an upstream connection from
 * this event loop's pool, the request streamed up, the response streamed down, and exactly one
 * {@link Target#exit()} at the end, whatever ends it (response complete, upstream failure,
 * client gone, timeout, drain timeout).
 *
 * <p>Everything here runs on one event loop: the client's channel and the upstream channel share
 * it, so no field needs a lock or a volatile.
 *
 * <p>Retries follow one rule: a request moves to the service's current route when no byte of it
 * reached its target (connect failed, or the pooled connection was found dead before the write
 * went through). After bytes were written, only an idempotent request without a body, that has
 * sent nothing to the client yet, is tried again.
 */
final class Exchange implements ChannelFutureListener, ResponseReader.Listener {

    private static final int MAX_ATTEMPTS = 3;
    private static final long TUNNEL_CLOSE_GRACE_MILLIS = 1000;
    private static final int SMALL_BODY = 2048; // copied in behind the head: one buffer, one write

    // The registry of in-flight exchanges on this loop links them through these two fields.
    Exchange registryPrev;
    Exchange registryNext;

    private final ClientConnection client;
    private final LoopState loop;
    private final Service service;
    private final long startNanos;
    private final boolean bodyless;             // no Content-Length and not chunked: nothing follows the head
    private final boolean chunked;              // the body comes chunked and goes on chunked
    private final boolean retryableAfterWrite;  // idempotent and bodyless
    private final boolean clientKeepAlive;
    private final boolean clientHttp11;
    private final boolean headRequest;
    private final boolean upgradeRequested;
    private final boolean webSocket;
    private final ByteBuf upstreamHead;         // the head as the app gets it; written again on a retry
    private ChannelFutureListener bodyWritten;  // only requests with a body need it

    private Target target;
    private UpstreamConnection upstream;
    private int attempts;
    private boolean headSent;               // the head reached the upstream's socket
    private boolean requestSent;            // ... and so did the last byte of the body
    private boolean clientRequestComplete;  // we have read the whole request from the client
    private boolean responseStarted;        // a byte of a response went to the client
    private boolean upstreamKeepAlive;
    private boolean closeClientAfter;
    private int status;
    private ByteBuf heldHead;               // the final response's head (and a small body), written at the end of this read
    private boolean chunkToClient;          // the body goes to the client chunked, chunk by chunk as it comes
    private boolean finished;
    private boolean clientReadPaused;       // waiting for the upstream to become writable
    private boolean upstreamReadPaused;     // waiting for the client to become writable

    private boolean tunnel;
    private WebSocketFrameBoundary framesToClient;
    private WebSocketFrameBoundary framesToServer;
    private boolean goingAway;
    private boolean closeSentToClient;
    private boolean closeSentToServer;

    /** {@code head} is read here and not kept; {@code upstreamHead} is the exchange's to release. */
    Exchange(ClientConnection client, LoopState loop, Service service, RequestHead head, ByteBuf upstreamHead) {
        this.client = client;
        this.loop = loop;
        this.service = service;
        this.startNanos = System.nanoTime();
        this.bodyless = head.bodyless();
        this.chunked = head.chunked;
        this.headRequest = head.headMethod;
        this.retryableAfterWrite = bodyless && head.idempotent;
        this.clientKeepAlive = head.keepAlive;
        this.clientHttp11 = head.http11;
        this.upgradeRequested = head.upgradeRequested;
        this.webSocket = head.webSocket;
        this.upstreamHead = upstreamHead;
        this.clientRequestComplete = bodyless;
    }

    Target target() {
        return target;
    }

    // ------------------------------------------------------------------ dispatch

    void start() {
        loop.exchanges.add(this);
        if (!enterCurrentTarget()) {
            failWith(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "service '" + service.name() + "' has no active version yet; deploy one first");
            return;
        }
        connect();
    }

    /** Enters the service's current target; false when it has none. */
    private boolean enterCurrentTarget() {
        // A failed enter means a switch happened between reading the route and entering: read again.
        for (int i = 0; i < 4; i++) {
            Target current = service.activeTarget();
            if (current == null) {
                return false;
            }
            if (current.enter()) {
                target = current;
                return true;
            }
        }
        return false;
    }

    private void connect() {
        UpstreamConnection pooled = loop.pool.acquire(target);
        if (pooled != null) {
            attach(pooled);
            return;
        }
        Target connectingTo = target;
        loop.connect(connectingTo).addListener((ChannelFuture f) -> {
            if (finished || target != connectingTo || upstream != null) {
                if (f.isSuccess()) {
                    f.channel().close();
                }
                return;
            }
            if (f.isSuccess()) {
                attach(UpstreamConnection.install(f.channel(), connectingTo, loop.responseTimeoutNanos, loop.maxResponseHeadSize));
            } else {
                onConnectFailed(f.cause());
            }
        });
    }

    private void attach(UpstreamConnection connection) {
        upstream = connection;
        connection.attach(this, headRequest);
        connection.channel().writeAndFlush(upstreamHead.retainedDuplicate()).addListener(this);
    }

    /** The head (for a bodyless request, the whole request) was written to the app, or failed to be. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (finished || upstream == null || f.channel() != upstream.channel()) {
            return;
        }
        if (!f.isSuccess()) {
            // Nothing reached the app: the connection was dead before our bytes went through.
            retryOrFail(false, HttpResponseStatus.BAD_GATEWAY, "the connection to " + target + " failed before the request went through");
            return;
        }
        headSent = true;
        requestSent = bodyless;
        upstream.armResponseTimeout();
        upstream.channel().read();
        if (!clientRequestComplete) {
            client.read(); // the body, or the empty end of a bodyless request
        }
    }

    private void onConnectFailed(Throwable cause) {
        boolean timedOut = cause instanceof ConnectTimeoutException;
        retryOrFail(true, timedOut ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY,
                (timedOut ? "timed out connecting to " : "could not connect to ") + target + ": " + describe(cause));
    }

    /**
     * Moves the request to the service's current route, or fails it. {@code connectFailed}: a
     * fresh connection to the target failed, so trying the same target again is pointless.
     */
    private void retryOrFail(boolean connectFailed, HttpResponseStatus status, String sentence) {
        releaseUpstream(false);
        Target failed = target;
        Target current = service.activeTarget();
        if (++attempts >= MAX_ATTEMPTS || current == null || (connectFailed && current == failed)) {
            failWith(status, sentence);
            return;
        }
        failed.recordRetriedAway();
        failed.exit();
        target = null;
        if (!enterCurrentTarget()) {
            failWith(HttpResponseStatus.SERVICE_UNAVAILABLE, "service '" + service.name() + "' has no active version");
            return;
        }
        headSent = false;
        requestSent = false;
        connect();
    }

    // ------------------------------------------------------------------ request body

    void onRequestBody(ByteBuf content) {
        if (finished || tunnel) {
            content.release();
            return;
        }
        if (upstream == null) { // the body is only read once the head went through; never expected
            content.release();
            closeClientAfter = true;
            failOrCut(HttpResponseStatus.BAD_GATEWAY, "the request body arrived before a connection to " + target + " was ready");
            return;
        }
        Channel up = upstream.channel();
        if (chunked) {
            up.write(Chunks.header(up.alloc(), content.readableBytes()), up.voidPromise());
            up.write(content, up.voidPromise());
            up.writeAndFlush(Chunks.dataEnd()).addListener(bodyWritten());
        } else {
            up.writeAndFlush(content).addListener(bodyWritten());
        }
        if (up.isWritable()) {
            client.read();
        } else {
            clientReadPaused = true;
        }
    }

    void onRequestEnd(ByteBuf trailers) {
        clientRequestComplete = true;
        client.timeouts().requestBodyReceived();
        boolean sending = !finished && !tunnel && upstream != null;
        if (sending && chunked) {
            Channel up = upstream.channel();
            up.writeAndFlush(Chunks.last(up.alloc(), trailers)).addListener(bodyWritten());
        } else if (trailers != null) {
            trailers.release(); // a Content-Length body has none; a finished exchange needs none
        }
        requestSent = sending;
    }

    /** The listener for body writes, made only for requests that have a body. */
    private ChannelFutureListener bodyWritten() {
        if (bodyWritten == null) {
            bodyWritten = this::onBodyWritten;
        }
        return bodyWritten;
    }

    /** The client's body broke its framing: nothing more can be read from this connection. */
    void onRequestMalformed(String sentence) {
        clientRequestComplete = true; // nothing more will be read from this connection
        closeClientAfter = true;
        client.timeouts().requestBodyReceived();
        failOrCut(HttpResponseStatus.BAD_REQUEST, sentence);
    }

    private void onBodyWritten(ChannelFuture f) {
        if (f.isSuccess()) {
            if (!finished && upstream != null && f.channel() == upstream.channel()) {
                upstream.armResponseTimeout(); // the app is taking our bytes: it is alive
            }
        } else {
            f.channel().close(); // the upstream's close event decides what the client sees
        }
    }

    void onUpstreamWritable(UpstreamConnection connection) {
        if (connection == upstream && clientReadPaused) {
            clientReadPaused = false;
            client.read();
        }
    }

    // ------------------------------------------------------------------ response

    @Override
    public void onHead(ResponseHead head) {
        if (finished || upstream == null) {
            return;
        }
        upstream.armResponseTimeout();
        int code = head.status;
        if (code == 101) {
            if (upgradeRequested) {
                beginTunnel(head);
            } else {
                upstreamBroken(target + " switched protocols (101) although the request asked for no upgrade");
            }
            return;
        }
        if (code < 200) { // 100 Continue and friends: relay now, the final response follows
            responseStarted = true;
            client.writeAndFlush(head.render(client.alloc(), 0, false, 0));
            return;
        }
        status = code;
        ResponseHead.Framing framing = head.framing;
        boolean keepAlive = clientKeepAlive && (clientRequestComplete || bodyless) && !client.shuttingDown();
        int add = 0;
        if (framing == ResponseHead.Framing.CHUNKED || framing == ResponseHead.Framing.UNTIL_CLOSE) {
            if (clientHttp11) {
                chunkToClient = true;
                add |= ResponseHead.ADD_CHUNKED;
            } else {
                keepAlive = false; // an HTTP/1.0 client reads this body until the connection closes
            }
        }
        if (!keepAlive) {
            add |= ResponseHead.ADD_CLOSE;
        } else if (!clientHttp11) {
            add |= ResponseHead.ADD_KEEP_ALIVE;
        }
        closeClientAfter = !keepAlive;
        // Held back, not written: a small body that follows in the same read is copied in behind
        // the head, so the client gets one buffer. Nothing is flushed before the read completes
        // either way, so the client sees the same bytes at the same moment.
        int room = framing == ResponseHead.Framing.FIXED && head.contentLength <= SMALL_BODY ? (int) head.contentLength : 0;
        heldHead = head.render(client.alloc(), add, false, room);
    }

    private void writeHeldHead() {
        ByteBuf head = heldHead;
        if (head != null) {
            heldHead = null;
            responseStarted = true;
            client.write(head);
        }
    }

    /** Nothing of the held response reached the client: it can still get a clean error instead. */
    private void dropHeldHead() {
        if (heldHead != null) {
            heldHead.release();
            heldHead = null;
        }
    }

    @Override
    public void onBody(ByteBuf content) {
        if (finished || upstream == null) {
            content.release();
            return;
        }
        if (tunnel) {
            relayToClient(content);
            return;
        }
        upstream.armResponseTimeout();
        int length = content.readableBytes();
        if (chunkToClient) {
            writeHeldHead();
            client.write(Chunks.header(client.alloc(), length));
            client.write(content);
            client.write(Chunks.dataEnd());
            return;
        }
        if (heldHead != null && heldHead.writableBytes() >= length) {
            heldHead.writeBytes(content);
            content.release();
            return;
        }
        writeHeldHead();
        client.write(content);
    }

    void onUpstreamReadComplete(UpstreamConnection connection) {
        if (finished || connection != upstream) {
            return;
        }
        writeHeldHead();
        client.flush();
        if (client.isWritable()) {
            connection.channel().read();
        } else {
            upstreamReadPaused = true;
        }
    }

    void onClientWritable() {
        if (upstreamReadPaused && upstream != null && !finished) {
            upstreamReadPaused = false;
            upstream.channel().read();
        }
    }

    /**
     * The app has answered completely: count it and release the upstream before the last bytes
     * go to the client, so whoever sees the response also sees it counted.
     */
    @Override
    public void onEnd(ByteBuf trailers, boolean reusable) {
        if (finished || upstream == null) {
            if (trailers != null) {
                trailers.release();
            }
            return;
        }
        target.recordResponse(status, System.nanoTime() - startNanos);
        UpstreamConnection connection = upstream;
        upstream = null;
        connection.detach();
        if (requestSent && reusable) {
            loop.pool.release(connection);
        } else {
            connection.close();
        }
        finish();
        writeHeldHead();
        if (chunkToClient) {
            client.write(Chunks.last(client.alloc(), trailers));
        } else if (trailers != null) {
            trailers.release(); // an HTTP/1.0 client has no place for them
        }
        client.flush();
        client.exchangeCompleted(closeClientAfter || !clientRequestComplete && !bodyless);
    }

    @Override
    public void onMalformed(String why) {
        if (finished || upstream == null) {
            return;
        }
        upstreamBroken("the response from " + target + " was malformed: " + why);
    }

    // ------------------------------------------------------------------ failures

    void onUpstreamClosed(UpstreamConnection connection) {
        if (finished || connection != upstream) {
            return;
        }
        if (tunnel) {
            upstream = null;
            client.closeAfterFlush();
            finish();
            return;
        }
        if (!responseStarted && (!headSent || retryableAfterWrite)) {
            retryOrFail(false, HttpResponseStatus.BAD_GATEWAY,
                    target + " closed the connection before it answered");
            return;
        }
        upstreamBroken(target + (responseStarted ? " closed the connection before it finished answering"
                : " closed the connection before it answered"));
    }

    void onUpstreamTimeout(UpstreamConnection connection) {
        if (finished || connection != upstream) {
            return;
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(loop.responseTimeoutNanos);
        failOrCut(HttpResponseStatus.GATEWAY_TIMEOUT, target + " did not answer within " + seconds + " s");
    }

    void onClientClosed() {
        dropHeldHead();
        if (finished) {
            return;
        }
        releaseUpstream(false);
        finish();
    }

    /**
     * Ends the exchange because its target's drain (or the proxy's shutdown) timed out: 504 if
     * the client has seen nothing yet, a close frame 1001 for a WebSocket, a closed connection
     * otherwise.
     */
    void endForDrain() {
        if (finished) {
            return;
        }
        if (tunnel) {
            goAway();
            return;
        }
        failOrCut(HttpResponseStatus.GATEWAY_TIMEOUT,
                target + " was still answering when its drain timed out; retry the request");
    }

    private void upstreamBroken(String sentence) {
        failOrCut(HttpResponseStatus.BAD_GATEWAY, sentence);
    }

    /** A clean error response while the client has seen nothing, else a cut connection. */
    private void failOrCut(HttpResponseStatus status, String sentence) {
        dropHeldHead();
        if (!responseStarted) {
            failWith(status, sentence);
            return;
        }
        if (target != null) {
            target.recordResponse(this.status == 0 ? status.code() : this.status, System.nanoTime() - startNanos);
        }
        releaseUpstream(false);
        finish();
        client.abort();
    }

    private void failWith(HttpResponseStatus status, String sentence) {
        dropHeldHead();
        if (target != null) {
            target.recordResponse(status.code(), System.nanoTime() - startNanos);
        }
        releaseUpstream(false);
        finish();
        client.respondError(status, sentence, clientKeepAlive && !closeClientAfter && (clientRequestComplete || bodyless));
    }

    private void releaseUpstream(boolean reusable) {
        UpstreamConnection connection = upstream;
        if (connection == null) {
            return;
        }
        upstream = null;
        connection.detach();
        if (reusable) {
            loop.pool.release(connection);
        } else {
            connection.close();
        }
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        upstreamHead.release();
        if (target != null) {
            target.exit();
        }
        loop.exchanges.remove(this);
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }

    // ------------------------------------------------------------------ upgraded connections

    private void beginTunnel(ResponseHead head) {
        tunnel = true;
        responseStarted = true;
        status = 101;
        target.recordResponse(101, System.nanoTime() - startNanos);
        client.writeAndFlush(head.render(client.alloc(), ResponseHead.ADD_UPGRADE, true, 0));
        if (webSocket) {
            framesToClient = new WebSocketFrameBoundary();
            framesToServer = new WebSocketFrameBoundary();
        }
        // The upstream side goes raw first: taking the client's decoder out hands over the bytes
        // it holds, and they must find no request encoder on the way up.
        upstream.switchToTunnel();
        client.beginTunnel();
        if (finished || upstream == null) {
            return;
        }
        client.read();
        upstream.channel().read();
    }

    void onClientBytes(ByteBuf bytes) {
        if (finished || upstream == null || closeSentToServer) {
            bytes.release();
            return;
        }
        Channel up = upstream.channel();
        boolean frameEnded = relay(bytes, up, framesToServer, goingAway && !closeSentToServer);
        if (frameEnded) {
            sendCloseToServer();
            return;
        }
        if (up.isWritable()) {
            client.read();
        } else {
            clientReadPaused = true;
        }
    }

    private void relayToClient(ByteBuf bytes) {
        if (closeSentToClient) {
            bytes.release(); // after our close frame, nothing more goes to the client
            return;
        }
        boolean frameEnded = relay(bytes, client.channel(), framesToClient, goingAway && !closeSentToClient);
        if (frameEnded) {
            sendCloseToClient();
            return;
        }
        if (client.isWritable()) {
            upstream.channel().read();
        } else {
            upstreamReadPaused = true;
        }
    }

    /**
     * Writes {@code bytes} to {@code to}. When {@code cutAtFrameEnd}, only up to the end of the
     * current WebSocket frame is written and the rest dropped; returns true if a frame ended there.
     */
    private static boolean relay(ByteBuf bytes, Channel to, WebSocketFrameBoundary frames, boolean cutAtFrameEnd) {
        if (frames == null) {
            to.writeAndFlush(bytes);
            return false;
        }
        int length = bytes.readableBytes();
        int passed = frames.advance(bytes, bytes.readerIndex(), length, cutAtFrameEnd);
        if (cutAtFrameEnd && frames.atBoundary()) {
            to.writeAndFlush(bytes.retainedSlice(bytes.readerIndex(), passed));
            bytes.release();
            return true;
        }
        to.writeAndFlush(bytes);
        return false;
    }

    private void goAway() {
        if (framesToClient == null) { // not a WebSocket: no close frame to send, just close
            closeTunnel();
            return;
        }
        goingAway = true;
        if (framesToClient.atBoundary()) {
            sendCloseToClient();
        }
        if (framesToServer.atBoundary()) {
            sendCloseToServer();
        }
        // A peer stuck in the middle of a frame does not get to hold the drain.
        client.channel().eventLoop().schedule(this::closeTunnel, TUNNEL_CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        client.read();
        if (upstream != null) {
            upstream.channel().read();
        }
    }

    private void sendCloseToClient() {
        closeSentToClient = true;
        client.channel().writeAndFlush(Unpooled.wrappedBuffer(WebSocketFrameBoundary.closeFrameToClient()));
        closeTunnelIfBothSent();
    }

    private void sendCloseToServer() {
        closeSentToServer = true;
        if (upstream != null) {
            upstream.channel().writeAndFlush(Unpooled.wrappedBuffer(
                    WebSocketFrameBoundary.closeFrameToServer(ThreadLocalRandom.current().nextInt())));
        }
        closeTunnelIfBothSent();
    }

    private void closeTunnelIfBothSent() {
        if (closeSentToClient && closeSentToServer) {
            closeTunnel();
        }
    }

    private void closeTunnel() {
        if (finished) {
            return;
        }
        UpstreamConnection connection = upstream;
        upstream = null;
        if (connection != null) {
            connection.detach();
            connection.closeAfterFlush();
        }
        finish();
        client.closeAfterFlush();
    }
}
