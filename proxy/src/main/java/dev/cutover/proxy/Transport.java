package dev.cutover.proxy;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The socket implementation: epoll where the native library loads (Linux), NIO everywhere else. */
public record Transport(String name, IoHandlerFactory ioHandlerFactory,
                       Class<? extends ServerChannel> serverChannel, Class<? extends SocketChannel> socketChannel) {

    public enum Kind { AUTO, EPOLL, NIO }

    public static Transport select(Kind kind) {
        return switch (kind) {
            case NIO -> nio();
            case EPOLL -> {
                Epoll.ensureAvailability();
                yield epoll();
            }
            case AUTO -> Epoll.isAvailable() ? epoll() : nio();
        };
    }

    private static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class, EpollSocketChannel.class);
    }

    private static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }
}
