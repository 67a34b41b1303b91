package dev.cutover.sample;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.flow.FlowControlHandler;

/** The handlers every accepted connection gets, in the order bytes meet them. */
final class SamplePipeline extends ChannelInitializer<SocketChannel> {

    private final SampleOptions options;
    private final ErrorInjection errors;
    private final InFlightRequests inFlight;
    private final ChannelGroup connections;

    SamplePipeline(SampleOptions options, ErrorInjection errors, InFlightRequests inFlight, ChannelGroup connections) {
        this.options = options;
        this.errors = errors;
        this.inFlight = inFlight;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        connections.add(channel); // so close() and kill() can reach every open connection
        final ChannelPipeline p = channel.pipeline();
        p.addLast("http", new HttpServerCodec());
        // Sits before the flow control so the upgrade request reaches it whole; other paths pass through.
        // Frames up to 16 MB: Netty's default 64 KB would close a proxy test's large frame with 1009.
        p.addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/ws").maxFramePayloadLength(16 * 1024 * 1024).build()));
        // Auto-read is off; this hands one decoded message per read() to the handlers below.
        p.addLast("flow", new FlowControlHandler());
        p.addLast("echo", new WebSocketEcho());
        p.addLast("sample", new SampleHandler(options, errors, inFlight));
    }
}
