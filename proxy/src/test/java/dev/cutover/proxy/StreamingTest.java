package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.cutover.sample.SamplePattern;
import dev.cutover.sample.SampleServer;
import dev.cutover.testing.RawHttp;
import io.netty.util.internal.PlatformDependent;

/**
 * Bodies stream both ways with backpressure: a gigabyte passes through while the memory the
 * process holds on to stays flat (nothing is aggregated, nothing piles up in buffers).
 */
class StreamingTest {

    private static final long GIGABYTE = 1L << 30;
    private static final long MEMORY_BOUND = 96L << 20;

    private static SampleServer backend;
    private static ProxyHarness harness;

    @BeforeAll
    static void start() throws Exception {
        backend = ProxyHarness.backend("v1");
        harness = ProxyHarness.start();
        harness.routeTo(backend);
    }

    @AfterAll
    static void stop() {
        harness.close();
        backend.close();
    }

    @Test
    void gigabyteUploadPassesIntactWithMemoryFlat() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port()); MemoryWatch memory = MemoryWatch.start()) {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            client.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + GIGABYTE + "\r\n\r\n");
            OutputStream out = client.output();
            byte[] chunk = new byte[64 * 1024];
            for (long sent = 0; sent < GIGABYTE; sent += chunk.length) {
                for (int i = 0; i < chunk.length; i++) {
                    chunk[i] = SamplePattern.byteAt(sent + i);
                }
                sha256.update(chunk);
                out.write(chunk);
            }
            out.flush();
            RawHttp.Response response = client.readResponse();

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.bodyText()).contains("\"bytes\":" + GIGABYTE)
                    .contains(HexFormat.of().formatHex(sha256.digest()));
            assertThat(memory.growth()).as("memory held beyond the start, bytes").isLessThan(MEMORY_BOUND);
        }
    }

    @Test
    void gigabyteDownloadPassesIntactWithMemoryFlat() throws Exception {
        try (RawHttp client = RawHttp.connect(harness.port()); MemoryWatch memory = MemoryWatch.start()) {
            client.send("GET /download?bytes=" + GIGABYTE + " HTTP/1.1\r\nHost: x\r\n\r\n");
            InputStream in = client.input();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-length: " + GIGABYTE);

            byte[] buffer = new byte[64 * 1024];
            long received = 0;
            long mismatches = 0;
            while (received < GIGABYTE) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, GIGABYTE - received));
                assertThat(n).as("the stream ended early at byte %d", received).isPositive();
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != SamplePattern.byteAt(received + i)) {
                        mismatches++;
                    }
                }
                received += n;
            }

            assertThat(received).isEqualTo(GIGABYTE);
            assertThat(mismatches).isZero();
            assertThat(memory.growth()).as("memory held beyond the start, bytes").isLessThan(MEMORY_BOUND);
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).isNotNegative();
            head.append((char) b);
        }
        return head.toString();
    }

    /**
     * Samples, every 500 ms, the heap left after a collection plus the direct memory in use, and
     * keeps the highest growth over the value at the start.
     */
    private static final class MemoryWatch implements AutoCloseable {
        private final long baseline = held();
        private final AtomicLong peak = new AtomicLong();
        private final Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(held() - baseline, Math::max);
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        static MemoryWatch start() {
            return new MemoryWatch();
        }

        long growth() {
            peak.accumulateAndGet(held() - baseline, Math::max);
            return peak.get();
        }

        private static long held() {
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long nettyDirect = Math.max(0, PlatformDependent.usedDirectMemory());
            long jdkDirect = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
            return heap + nettyDirect + jdkDirect;
        }

        @Override
        public void close() {
            sampler.interrupt();
        }
    }
}
