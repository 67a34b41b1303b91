package dev.cutover.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * The client-side pipeline, one handler per concern, in the order bytes meet them. Responses need
 * no encoder: the proxy writes them as bytes (see {@link ResponseHead} and {@link ErrorResponses}).
 */
final class ClientInitializer extends ChannelInitializer<Channel> {

    static final String DECODER = "decoder";

    private final Proxy proxy;
    private final ProxyConfig config;
    private final HttpDecoderConfig decoding;

    ClientInitializer(Proxy proxy, ProxyConfig config) {
        this.proxy = proxy;
        this.config = config;
        this.decoding = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setStrictLineParsing(true)
                // Request smuggling defences live here, where Content-Length is still visible.
                .setUseRfc9112TransferEncoding(true)
                .setAllowDuplicateContentLengths(false);
    }

    @Override
    protected void initChannel(Channel ch) {
        if (!proxy.admitConnection(ch)) {
            ch.close();
            return;
        }
        ClientTimeouts timeouts = new ClientTimeouts(config);
        ch.pipeline()
                .addLast("timeouts", timeouts)                  // header and idle clocks, from the first byte
                .addLast(DECODER, new HttpRequestDecoder(decoding))
                .addLast("framing", new FramingEnforcer(config)) // 400/414/431 for what must not be forwarded
                .addLast("proxy", new ClientConnection(proxy, proxy.loopState(ch.eventLoop()), timeouts));
    }
}
