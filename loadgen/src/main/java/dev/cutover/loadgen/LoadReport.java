package dev.cutover.loadgen;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a load run measured. Immutable, acyclic, String-keyed maps: serializes to JSON as it is.
 *
 * @param target             the URL the load was sent to
 * @param durationSeconds    from start until the last in-flight request finished
 * @param total              every request issued; each one is either ok or failed
 * @param clientErrors       4xx responses: counted, but ok (the server answered as designed)
 * @param requestsByKind     "normal", "slow", "upload" to counts
 * @param failuresByCause    {@link FailureCause#code()} to counts; only causes that occurred
 * @param statusCounts       HTTP status ("200", "503") to counts; requests without a response are absent
 * @param versions           value of the version header ("(none)" when absent) to responses carrying it
 * @param firstFailures      the first failures, in completion order, at most {@value OutcomeTally#KEPT_FAILURES}
 */
public record LoadReport(
        String target,
        int concurrency,
        double durationSeconds,
        long total,
        long ok,
        long failed,
        long clientErrors,
        double requestsPerSecond,
        Map<String, Long> requestsByKind,
        Map<String, Long> failuresByCause,
        Map<String, Long> statusCounts,
        Map<String, Long> versions,
        LatencySummary latency,
        FailureWindow longestFailureWindow,
        List<FailedRequest> firstFailures) {

    /** How many failures {@link #summary()} spells out; the rest are in {@link #firstFailures()}. */
    private static final int FAILURES_IN_SUMMARY = 5;

    public LoadReport {
        requestsByKind = sorted(requestsByKind);
        failuresByCause = sorted(failuresByCause);
        statusCounts = sorted(statusCounts);
        versions = sorted(versions);
        firstFailures = List.copyOf(firstFailures);
    }

    public long requests(RequestKind kind) {
        return requestsByKind.getOrDefault(kind.name().toLowerCase(Locale.ROOT), 0L);
    }

    public long failures(FailureCause cause) {
        return failuresByCause.getOrDefault(cause.code(), 0L);
    }

    public long statusCount(int status) {
        return statusCounts.getOrDefault(Integer.toString(status), 0L);
    }

    public long responsesFrom(String version) {
        return versions.getOrDefault(version, 0L);
    }

    /** A few lines for a person: the CLI's output, or the message of a failed assertion. */
    public String summary() {
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%s with %d connections for %.2f s: %d requests, %.0f req/s%n",
                target, concurrency, durationSeconds, total, requestsPerSecond));
        out.append(String.format(Locale.ROOT, "ok %d, failed %d%s, client errors (4xx) %d%n",
                ok, failed, failuresByCause.isEmpty() ? "" : " (" + join(failuresByCause, " ") + ")", clientErrors));
        out.append("kinds: ").append(join(requestsByKind, " ")).append('\n');
        out.append("statuses: ").append(statusCounts.isEmpty() ? "none" : join(statusCounts, "=")).append('\n');
        out.append("versions: ").append(versions.isEmpty() ? "none" : join(versions, "=")).append('\n');
        out.append(String.format(Locale.ROOT, "latency ms: p50 %.2f, p90 %.2f, p99 %.2f, max %.2f (%d responses)%n",
                latency.p50Ms(), latency.p90Ms(), latency.p99Ms(), latency.maxMs(), latency.count()));
        if (longestFailureWindow.requests() > 0) {
            out.append(String.format(Locale.ROOT,
                    "longest failure window: %d failed requests in a row over %.1f ms, from %.1f ms into the run%n",
                    longestFailureWindow.requests(), longestFailureWindow.spanMs(), longestFailureWindow.startMs()));
        }
        if (!firstFailures.isEmpty()) {
            final int shown = Math.min(FAILURES_IN_SUMMARY, firstFailures.size());
            out.append("first failures (").append(shown).append(" of ").append(failed).append("):\n");
            for (FailedRequest f : firstFailures.subList(0, shown)) {
                out.append(String.format(Locale.ROOT, "  at %.1f ms #%d %s %s, status %d, version %s, after %.1f ms: %s%n",
                        f.atMs(), f.sequence(), f.kind(), f.cause(), f.status(), f.version(), f.latencyMs(), f.detail()));
            }
        }
        return out.toString().stripTrailing();
    }

    private static Map<String, Long> sorted(Map<String, Long> counts) {
        return Collections.unmodifiableMap(new TreeMap<>(counts));
    }

    private static String join(Map<String, Long> counts, String separator) {
        return counts.entrySet().stream()
                .map(e -> e.getKey() + separator + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
