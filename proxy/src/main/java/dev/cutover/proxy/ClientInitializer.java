package dev.cutover.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * The client-side pipeline: the clocks next to the socket, then the connection, which reads
 * requests and writes responses as bytes itself (see {@link RequestReader} and {@link ResponseHead}).
 */
final class ClientInitializer extends ChannelInitializer<Channel> {

    private final Proxy proxy;
    private final ProxyConfig config;

    ClientInitializer(Proxy proxy, ProxyConfig config) {
        this.proxy = proxy;
        this.config = config;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (!proxy.admitConnection(ch)) {
            ch.close();
            return;
        }
        ClientTimeouts timeouts = new ClientTimeouts(config);
        ch.pipeline()
                .addLast("timeouts", timeouts) // header and idle clocks, from the first byte
                .addLast("proxy", new ClientConnection(proxy, proxy.loopState(ch.eventLoop()), timeouts, config));
    }
}
