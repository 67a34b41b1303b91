import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * The floor under any Netty HTTP proxy: a 1:1 TCP relay on one epoll event loop (auto-read off,
 * read again after each flush, no HTTP at all). Each client connection gets its own connection to
 * the origin. What a real proxy costs above this is its HTTP work. See BENCHMARKS.md.
 *
 * <pre>
 * cp=$(find ~/.m2/repository/io/netty -name '*4.2.18.Final*.jar' ! -name '*sources*' | tr '\n' :)
 * javac -cp "$cp" -d /tmp/relay bench/floor/Relay.java
 * java -Dio.netty.leakDetection.level=disabled -cp "$cp/tmp/relay" Relay   # 127.0.0.1:18095 -> 127.0.0.1:18090
 * </pre>
 */
public class Relay {

    public static void main(String[] args) throws Exception {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        new ServerBootstrap().group(loop).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel client) {
                        client.pipeline().addLast(new ClientSide(client));
                    }
                })
                .bind("127.0.0.1", 18095).sync().channel().closeFuture().sync();
    }

    /** Relays what one side reads to the other; the client side also opens the origin side. */
    private static class Forwarder extends ChannelInboundHandlerAdapter {

        Channel to;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            to.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            to.flush();
            ctx.read();
        }
    }

    private static final class ClientSide extends Forwarder {

        private final Channel client;

        ClientSide(Channel client) {
            this.client = client;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Forwarder back = new Forwarder();
            back.to = client;
            new Bootstrap().group(client.eventLoop()).channel(EpollSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(back)
                    .connect("127.0.0.1", 18090)
                    .addListener((ChannelFuture f) -> {
                        to = f.channel();
                        to.read();
                        client.read();
                    });
        }
    }
}
