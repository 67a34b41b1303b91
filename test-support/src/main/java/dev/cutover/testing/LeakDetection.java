package dev.cutover.testing;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;

/**
 * Fails a test class when Netty reports a leaked buffer during it. Registered for every test
 * class through JUnit's extension auto-detection; the leak detector runs at PARANOID in tests
 * (see the parent pom), so every buffer is tracked.
 *
 * <p>Leaks are recorded through a detector factory installed before any buffer class loads, not
 * by reading logs. A leak is only noticed after the garbage collector has found the lost buffer,
 * so after each class we collect garbage and allocate a little to make the detector look.
 */
public final class LeakDetection implements AfterAllCallback {

    private static final List<String> leaks = new ArrayList<>();

    static {
        ResourceLeakDetectorFactory defaults = ResourceLeakDetectorFactory.instance();
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                ResourceLeakDetector<T> detector = defaults.newResourceLeakDetector(resource, samplingInterval, maxActive);
                detector.setLeakListener((type, records) -> record(type + " leaked:\n" + records));
                return detector;
            }
        });
    }

    private static synchronized void record(String leak) {
        leaks.add(leak);
    }

    private static synchronized List<String> takeLeaks() {
        List<String> found = new ArrayList<>(leaks);
        leaks.clear();
        return found;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            return;
        }
        for (int round = 0; round < 3; round++) {
            System.gc();
            for (int i = 0; i < 64; i++) { // each tracked allocation makes the detector poll its queue
                ByteBuf probe = (i % 2 == 0 ? PooledByteBufAllocator.DEFAULT : UnpooledByteBufAllocator.DEFAULT).directBuffer(8);
                probe.release();
            }
        }
        List<String> found = takeLeaks();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " Netty buffer leak(s) detected during "
                    + context.getDisplayName() + ". First:\n" + found.get(0));
        }
    }
}
