package dev.cutover.loadgen;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The event loops of one run and the channel class that goes with them: epoll on Linux, NIO elsewhere. */
record Transport(EventLoopGroup group, Class<? extends SocketChannel> channelClass) {

    static Transport create(int ioThreads) {
        // Daemon threads: a generator somebody forgot to stop must not keep a JVM (or a test run) alive.
        final DefaultThreadFactory threads = new DefaultThreadFactory("cutover-loadgen", true);
        if (Epoll.isAvailable()) {
            return new Transport(new MultiThreadIoEventLoopGroup(ioThreads, threads, EpollIoHandler.newFactory()),
                    EpollSocketChannel.class);
        }
        return new Transport(new MultiThreadIoEventLoopGroup(ioThreads, threads, NioIoHandler.newFactory()),
                NioSocketChannel.class);
    }
}
