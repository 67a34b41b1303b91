package dev.cutover.engine.traffic;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Responses per upstream address, read from the access log nginx writes in cutover's format
 * ({@link NginxSettings#LOG_FORMAT}: {@code $status $upstream_addr}). The file is read from where the
 * last read ended, on demand; a file that shrank or was replaced (log rotation) is read from its start.
 * Lines for addresses cutover does not route to (other sites, static files) are skipped.
 */
final class AccessLogCounters {

    private static final Logger log = LoggerFactory.getLogger(AccessLogCounters.class);
    private static final int MAX_READ = 8 * 1024 * 1024;

    private final Path file;
    private final Map<String, long[]> byAddress = new HashMap<>(); // {responses, 5xx}
    private long position;
    private Object fileKey;
    private final StringBuilder partial = new StringBuilder();

    /** Starts at the end of the file: what nginx logged before cutover started is not counted. */
    AccessLogCounters(Path file) {
        this.file = file;
        try {
            BasicFileAttributes attrs = java.nio.file.Files.readAttributes(file, BasicFileAttributes.class);
            position = attrs.size();
            fileKey = attrs.fileKey();
        } catch (IOException e) {
            position = 0; // not there yet: nginx creates it with the first request
        }
    }

    /** Responses and 5xx among them for {@code address} ({@code 127.0.0.1:8082}) since the last {@link #reset}. */
    synchronized long[] counts(String address) {
        poll();
        long[] c = byAddress.get(address);
        return c == null ? new long[2] : c.clone();
    }

    /** Counts what was logged so far, then starts {@code address} from zero. */
    synchronized void reset(String address) {
        poll();
        byAddress.remove(address);
    }

    private void poll() {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            BasicFileAttributes attrs = java.nio.file.Files.readAttributes(file, BasicFileAttributes.class);
            if (attrs.size() < position || (fileKey != null && !fileKey.equals(attrs.fileKey()))) {
                position = 0; // rotated or truncated
                partial.setLength(0);
            }
            fileKey = attrs.fileKey();
            long available = Math.min(attrs.size() - position, MAX_READ);
            if (available <= 0) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) available);
            while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) > 0) {
                // read until the snapshot of the size
            }
            position += buffer.position();
            partial.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
            int start = 0;
            for (int nl = partial.indexOf("\n"); nl >= 0; nl = partial.indexOf("\n", start)) {
                count(partial.substring(start, nl));
                start = nl + 1;
            }
            partial.delete(0, start);
        } catch (NoSuchFileException e) {
            // nginx has not logged anything yet
        } catch (IOException e) {
            log.warn("cannot read nginx's access log {}: {}", file, e.toString());
        }
    }

    /** {@code 200 127.0.0.1:8082}, or with nginx's retries {@code 502 127.0.0.1:8081, 127.0.0.1:8082}: the last one answered. */
    private void count(String line) {
        int space = line.indexOf(' ');
        if (space <= 0) {
            return;
        }
        int status;
        try {
            status = Integer.parseInt(line.substring(0, space));
        } catch (NumberFormatException e) {
            return;
        }
        String addresses = line.substring(space + 1).strip();
        String last = addresses.substring(addresses.lastIndexOf(',') + 1).strip();
        int end = last.indexOf(' ');
        if (end > 0) {
            last = last.substring(0, end); // fields the operator added after ours
        }
        long[] c = byAddress.computeIfAbsent(last, a -> new long[2]);
        c[0]++;
        if (status >= 500) {
            c[1]++;
        }
    }
}
