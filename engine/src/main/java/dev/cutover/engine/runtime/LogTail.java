package dev.cutover.engine.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The last lines of a log file, read backwards from its end in blocks, so a 10 MB log costs a
 * few kilobytes to quote in an error message. At most {@link #MAX_BYTES} are read whatever
 * {@code lines} says: one huge line cannot blow the heap.
 */
final class LogTail {

    static final int MAX_BYTES = 256 * 1024;
    private static final int BLOCK = 8192;

    private LogTail() {
    }

    /** The last {@code lines} lines without the final newline; "" when the file is missing or empty. */
    static String last(Path file, int lines) {
        if (lines <= 0) {
            return "";
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long end = channel.size();
            final long floor = Math.max(0, end - MAX_BYTES);
            byte[] tail = new byte[0];
            // Skip one trailing newline: "a\nb\n" has two lines, not three.
            int newlines = 0;
            long pos = end;
            int start = -1; // index in tail where the wanted lines begin
            while (pos > floor && start < 0) {
                final int size = (int) Math.min(BLOCK, pos - floor);
                pos -= size;
                final ByteBuffer block = ByteBuffer.allocate(size);
                while (block.hasRemaining() && channel.read(block, pos + block.position()) >= 0) {
                    // read until full; the file only grows at its end, which we do not touch
                }
                final byte[] merged = new byte[size + tail.length];
                System.arraycopy(block.array(), 0, merged, 0, size);
                System.arraycopy(tail, 0, merged, size, tail.length);
                tail = merged;
                for (int i = size - 1; i >= 0; i--) {
                    if (tail[i] == '\n' && !(pos + i == end - 1)) {
                        newlines++;
                        if (newlines == lines) {
                            start = i + 1;
                            break;
                        }
                    }
                }
            }
            int stop = tail.length;
            if (stop > 0 && tail[stop - 1] == '\n') {
                stop--;
            }
            final int from = Math.max(0, start);
            return from >= stop ? "" : new String(tail, from, stop - from, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "(could not read " + file + ": " + e.getMessage() + ")";
        }
    }
}
