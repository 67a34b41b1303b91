package dev.cutover.loadgen;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

class LoadReportTest {

    private static final long MS = 1_000_000;
    private static final long START = 1_000 * MS;

    @Test
    void countsEveryOutcomeAndLeavesUnansweredRequestsOutOfStatusesAndLatency() {
        final OutcomeTally tally = new OutcomeTally(START);
        tally.add(ok(1, "v1", 200));
        tally.add(ok(2, "v2", 404));
        tally.add(failed(3, FailureCause.HTTP_5XX, 503, "the server answered 503"));
        tally.add(failed(4, FailureCause.CONNECT_REFUSED, 0, "cannot connect to 127.0.0.1:1: Connection refused"));
        tally.add(failed(5, FailureCause.PREMATURE_CLOSE, 200, "the server closed the connection in the middle of a 200 response"));

        final LoadReport report = tally.report("http://127.0.0.1:1/", 4, START + 2_000 * MS);

        assertThat(report.total()).isEqualTo(5);
        assertThat(report.ok()).isEqualTo(2);
        assertThat(report.failed()).isEqualTo(3);
        assertThat(report.clientErrors()).isEqualTo(1);
        assertThat(report.requestsPerSecond()).isEqualTo(2.5);
        assertThat(report.failuresByCause()).containsExactly(
                entry("connect_refused", 1L), entry("http_5xx", 1L), entry("premature_close", 1L));
        assertThat(report.statusCounts()).containsExactly(entry("200", 1L), entry("404", 1L), entry("503", 1L));
        assertThat(report.versions()).containsExactly(entry("(none)", 1L), entry("v1", 1L), entry("v2", 1L));
        assertThat(report.latency().count()).isEqualTo(3);
        assertThat(report.longestFailureWindow().requests()).isEqualTo(3);
        assertThat(report.firstFailures()).extracting(FailedRequest::sequence).containsExactly(3L, 4L, 5L);
        assertThat(report.requests(RequestKind.NORMAL)).isEqualTo(5);
        assertThat(report.statusCount(503)).isEqualTo(1);
        assertThat(report.failures(FailureCause.TIMEOUT)).isZero();
    }

    @Test
    void summaryNamesTheCausesAndWhenTheFirstFailuresHappened() {
        final OutcomeTally tally = new OutcomeTally(START);
        tally.add(ok(1, "v1", 200));
        tally.add(failed(2, FailureCause.CONNECT_REFUSED, 0, "cannot connect to 127.0.0.1:1: Connection refused"));

        final String summary = tally.report("http://127.0.0.1:1/", 4, START + 1_000 * MS).summary();

        assertThat(summary)
                .contains("http://127.0.0.1:1/ with 4 connections")
                .contains("ok 1, failed 1 (connect_refused 1)")
                .contains("versions: v1=1")
                .contains("longest failure window: 1 failed requests in a row")
                .contains("at 20.0 ms #2 NORMAL connect_refused")
                .contains("Connection refused");
    }

    @Test
    void onlyTheFirstTwentyFailuresAreKeptWhole() {
        final OutcomeTally tally = new OutcomeTally(START);
        for (int i = 1; i <= 1000; i++) {
            tally.add(failed(i, FailureCause.TIMEOUT, 0, "no complete response"));
        }

        final LoadReport report = tally.report("http://x/", 1, START + MS);

        assertThat(report.failed()).isEqualTo(1000);
        assertThat(report.firstFailures()).hasSize(OutcomeTally.KEPT_FAILURES);
        assertThat(report.summary()).contains("first failures (5 of 1000)");
    }

    @Test
    void aServerInventingVersionsCannotGrowTheReportWithoutBound() {
        final OutcomeTally tally = new OutcomeTally(START);
        for (int i = 1; i <= 1000; i++) {
            tally.add(ok(i, "request-" + i, 200));
        }

        final LoadReport report = tally.report("http://x/", 1, START + MS);

        assertThat(report.versions()).hasSize(OutcomeTally.MAX_VERSIONS + 1);
        assertThat(report.responsesFrom(OutcomeTally.OTHER_VERSIONS)).isEqualTo(1000 - OutcomeTally.MAX_VERSIONS);
    }

    @Test
    void reportMapsCannotBeChangedBehindItsBack() {
        final Map<String, Long> versions = new HashMap<>(Map.of("v1", 1L));
        final LoadReport report = new LoadReport("http://x/", 1, 1, 1, 1, 0, 0, 1, Map.of(), Map.of(), Map.of(),
                versions, new LatencySummary(0, 0, 0, 0, 0, 0), FailureWindow.NONE, java.util.List.of());
        versions.put("v2", 1L);

        assertThat(report.versions()).containsOnlyKeys("v1");
        assertThatThrownBy(() -> report.versions().put("v3", 1L)).isInstanceOf(UnsupportedOperationException.class);
    }

    private static RequestRecord ok(long sequence, String version, int status) {
        final long start = START + sequence * 10 * MS;
        return new RequestRecord(sequence, RequestKind.NORMAL, start, start, start + MS, status, version, null, null);
    }

    private static RequestRecord failed(long sequence, FailureCause cause, int status, String detail) {
        final long start = START + sequence * 10 * MS;
        return new RequestRecord(sequence, RequestKind.NORMAL, start, start, start + MS, status, null, cause, detail);
    }
}
