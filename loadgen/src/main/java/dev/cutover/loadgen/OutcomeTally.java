package dev.cutover.loadgen;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Every request's outcome, folded into counters of fixed size: memory stays flat however long the
 * load runs. Only the first {@value #KEPT_FAILURES} failures are kept whole.
 *
 * <p>Synchronized because I/O threads add while the progress ticker reads; with one I/O thread the lock
 * is uncontended. One lock also gives all threads a single completion order for the failure window.
 */
final class OutcomeTally {

    static final int KEPT_FAILURES = 20;
    /** A server that puts a request id in the version header must not grow the report without bound. */
    static final int MAX_VERSIONS = 64;
    static final String NO_VERSION = "(none)";
    static final String OTHER_VERSIONS = "(other)";

    private static final long MAX_LATENCY_MICROS = TimeUnit.HOURS.toMicros(1);

    private final long runStartNanos;
    private long total;
    private long ok;
    private long failed;
    private long clientErrors;
    private final long[] byKind = new long[RequestKind.values().length];
    private final long[] byCause = new long[FailureCause.values().length];
    /** Indexed by status code; valid statuses are 100-599 (others are malformed responses). */
    private final long[] byStatus = new long[600];
    private final Map<String, long[]> byVersion = new HashMap<>();
    private final Histogram latencyMicros = new Histogram(MAX_LATENCY_MICROS, 3);
    private final FailureRun failureRun = new FailureRun();
    private final List<FailedRequest> firstFailures = new ArrayList<>(KEPT_FAILURES);

    OutcomeTally(long runStartNanos) {
        this.runStartNanos = runStartNanos;
    }

    synchronized void add(RequestRecord r) {
        total++;
        byKind[r.kind().ordinal()]++;
        if (r.answered()) {
            byStatus[r.status()]++;
            countVersion(r.version() == null ? NO_VERSION : r.version());
            latencyMicros.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(1, r.latencyNanos() / 1000)));
            if (r.status() >= 400 && r.status() < 500) {
                clientErrors++;
            }
        }
        if (r.ok()) {
            ok++;
            failureRun.ok();
            return;
        }
        failed++;
        byCause[r.cause().ordinal()]++;
        failureRun.failed(r.dispatchNanos(), r.completedNanos());
        if (firstFailures.size() < KEPT_FAILURES) {
            firstFailures.add(new FailedRequest(r.sequence(), r.kind().name(), r.cause().code(), r.status(),
                    r.version(), (r.dispatchNanos() - runStartNanos) / 1e6, r.latencyNanos() / 1e6, r.detail()));
        }
    }

    synchronized ProgressSnapshot progress(long nowNanos, long previousTotal, long intervalNanos) {
        final double rate = intervalNanos > 0 ? (total - previousTotal) * 1e9 / intervalNanos : 0;
        return new ProgressSnapshot((nowNanos - runStartNanos) / 1e9, total, ok, failed, rate);
    }

    synchronized LoadReport report(String target, int concurrency, long runEndNanos) {
        final double seconds = Math.max(0, runEndNanos - runStartNanos) / 1e9;
        final Map<String, Long> kinds = new TreeMap<>();
        for (RequestKind kind : RequestKind.values()) {
            kinds.put(kind.name().toLowerCase(Locale.ROOT), byKind[kind.ordinal()]);
        }
        final Map<String, Long> causes = new TreeMap<>();
        for (FailureCause cause : FailureCause.values()) {
            if (byCause[cause.ordinal()] > 0) {
                causes.put(cause.code(), byCause[cause.ordinal()]);
            }
        }
        final Map<String, Long> statuses = new TreeMap<>();
        for (int code = 0; code < byStatus.length; code++) {
            if (byStatus[code] > 0) {
                statuses.put(Integer.toString(code), byStatus[code]);
            }
        }
        final Map<String, Long> versions = new TreeMap<>();
        byVersion.forEach((version, count) -> versions.put(version, count[0]));
        return new LoadReport(target, concurrency, seconds, total, ok, failed, clientErrors,
                seconds > 0 ? total / seconds : 0,
                kinds, causes, statuses, versions,
                LatencySummary.of(latencyMicros), failureRun.longest(runStartNanos), firstFailures);
    }

    private void countVersion(String version) {
        long[] count = byVersion.get(version);
        if (count == null) {
            final String key = byVersion.size() < MAX_VERSIONS ? version : OTHER_VERSIONS;
            count = byVersion.computeIfAbsent(key, k -> new long[1]);
        }
        count[0]++;
    }
}
