package dev.cutover.loadgen;

import java.time.Duration;
import java.util.function.Consumer;

/** Everything a run needs to know, validated by {@link LoadGeneratorBuilder}. */
record LoadSettings(
        String target,
        String host,
        int port,
        String hostHeader,
        String normalTarget,
        String slowTarget,
        String uploadTarget,
        RequestMix mix,
        long uploadBytes,
        int concurrency,
        Duration duration,
        long maxRequests,
        Duration requestTimeout,
        String versionHeader,
        RequestListener listener,
        Consumer<ProgressSnapshot> progress,
        Duration progressInterval,
        int ioThreads) {

    /** A run that only {@code stop()} can end: fine in the background, a hang in {@code run()}. */
    boolean bounded() {
        return duration != null || maxRequests != Long.MAX_VALUE;
    }
}
