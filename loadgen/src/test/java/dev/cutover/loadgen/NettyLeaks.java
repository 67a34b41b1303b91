package dev.cutover.loadgen;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fails a test class when Netty's leak detector (PARANOID in the test JVM) reports a buffer that was
 * never released. The detector only logs; this listens to it so a leak fails the build.
 */
final class NettyLeaks implements AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        try {
            // The buffers' detector is a package-private static; its listener hook is public.
            final Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            final ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) field.get(null);
            detector.setLeakListener((resourceType, records) -> LEAKS.add(resourceType + " leaked:" + records));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        // Leaks surface only after the garbage collector has found the lost buffers, and are reported
        // when the next buffer is allocated.
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
            ByteBufAllocator.DEFAULT.directBuffer(1).release();
            ByteBufAllocator.DEFAULT.heapBuffer(1).release();
        }
        assertThat(LEAKS).as("Netty buffers leaked (never released)").isEmpty();
    }
}
