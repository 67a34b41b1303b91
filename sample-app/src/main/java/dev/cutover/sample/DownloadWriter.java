package dev.cutover.sample;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.function.Consumer;

/**
 * Streams one {@code /download} body of the {@link SamplePattern}, writing the next chunk only while
 * the channel is writable. A client that stops reading therefore stops the server from producing:
 * memory stays at about one socket buffer however large the download.
 */
final class DownloadWriter {

    /** A multiple of the pattern's period, so every chunk starts at the same place in the pattern. */
    static final int CHUNK_SIZE = 64 * SamplePattern.PERIOD;
    private static final byte[] CHUNK = SamplePattern.firstBytes(CHUNK_SIZE);

    private final ChannelHandlerContext ctx;
    private final HttpResponse head;
    private final Consumer<ChannelFuture> onLastWrite;
    private long remaining;
    private boolean headWritten;
    private boolean finished;
    private boolean writing;

    /**
     * @param head        the response head, already carrying Content-Length or Transfer-Encoding: chunked
     * @param onLastWrite given the future of the final write, once everything is queued
     */
    DownloadWriter(ChannelHandlerContext ctx, HttpResponse head, long bytes, Consumer<ChannelFuture> onLastWrite) {
        this.ctx = ctx;
        this.head = head;
        this.remaining = bytes;
        this.onLastWrite = onLastWrite;
    }

    /** Writes as much as the channel accepts now; call again whenever it becomes writable. */
    void resume() {
        // A flush can drain the socket at once and fire writability from inside this method;
        // the loop below re-checks writability itself, so the nested call has nothing to do.
        if (writing || finished) {
            return;
        }
        writing = true;
        try {
            final Channel channel = ctx.channel();
            if (!headWritten) {
                headWritten = true;
                ctx.write(head, ctx.voidPromise());
            }
            do {
                while (remaining > 0 && channel.isWritable()) {
                    final int size = (int) Math.min(CHUNK_SIZE, remaining);
                    final ByteBuf chunk = ctx.alloc().buffer(size).writeBytes(CHUNK, 0, size);
                    remaining -= size;
                    ctx.write(new DefaultHttpContent(chunk), ctx.voidPromise());
                }
                ctx.flush();
            } while (remaining > 0 && channel.isWritable());
            if (remaining == 0) {
                finished = true;
                onLastWrite.accept(ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT));
            }
        } finally {
            writing = false;
        }
    }
}
