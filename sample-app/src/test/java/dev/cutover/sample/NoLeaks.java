package dev.cutover.sample;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fails a test class when Netty reports a leaked buffer while it ran (tests run with the leak
 * detector at PARANOID, so every buffer is tracked). Registered for every class through
 * META-INF/services; it must load before Netty creates its detectors, which it does, because JUnit
 * loads extensions before any test touches Netty.
 */
public final class NoLeaks implements AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
                return new RecordingDetector<>(resource, samplingInterval);
            }

            @Override
            @SuppressWarnings("deprecation") // the abstract method every factory must still implement
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return new RecordingDetector<>(resource, samplingInterval);
            }
        });
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // Leaks are noticed when a collected buffer's tracker is polled, which happens on the next
        // allocation: collect, then allocate a few buffers, a few times over.
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 64; i++) {
                final ByteBuf probe = ByteBufAllocator.DEFAULT.directBuffer(8);
                probe.release();
            }
        }
        final List<String> leaks = List.copyOf(LEAKS);
        LEAKS.clear();
        assertThat(leaks).as("Netty buffers leaked while %s ran", context.getDisplayName()).isEmpty();
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {
        RecordingDetector(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            LEAKS.add(resourceType + " leaked:" + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            LEAKS.add(resourceType + " leaked (no records)");
            super.reportUntracedLeak(resourceType);
        }
    }
}
