package dev.cutover.loadgen;

import dev.cutover.sample.SampleOptions;
import dev.cutover.sample.SampleServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/** The load against a real backend (the sample app): what it sends, and that it counts exactly. */
@Timeout(30)
class LoadGeneratorTest {

    @Test
    void healthyBackendAnswersEveryRequestAndEachIsCountedUnderItsVersion() throws Exception {
        final List<RequestRecord> records = new CopyOnWriteArrayList<>();
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            final LoadReport report = loadOn(server)
                    .concurrency(8).maxRequests(2_000).listener(records::add)
                    .build().run();

            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.total()).isEqualTo(2_000);
            assertThat(report.ok()).isEqualTo(2_000);
            assertThat(report.versions()).containsExactly(entry("v1", 2_000L));
            assertThat(report.statusCounts()).containsExactly(entry("200", 2_000L));
            assertThat(report.requestsByKind()).containsExactly(entry("normal", 2_000L), entry("slow", 0L), entry("upload", 0L));
            assertThat(report.latency().count()).isEqualTo(2_000);
            assertThat(report.latency().maxMs()).isPositive();
            assertThat(report.longestFailureWindow()).isEqualTo(FailureWindow.NONE);
            assertThat(report.requestsPerSecond()).isPositive();
            assertThat(records).hasSize(2_000).allSatisfy(r -> {
                assertThat(r.ok()).isTrue();
                assertThat(r.version()).isEqualTo("v1");
                assertThat(r.dispatchNanos()).isBetween(r.startNanos(), r.completedNanos());
            });
        }
    }

    @Test
    void everySecondRequestAnswered500CountsExactlyHalfAsFailed() throws Exception {
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1").withErrorRatio(0.5))) {
            final LoadReport report = loadOn(server).concurrency(4).maxRequests(1_000).build().run();

            assertThat(report.statusCount(500)).as(report.summary()).isEqualTo(500);
            assertThat(report.statusCount(200)).isEqualTo(500);
            assertThat(report.failed()).isEqualTo(500);
            assertThat(report.failuresByCause()).containsExactly(entry("http_5xx", 500L));
            assertThat(report.ok()).isEqualTo(500);
            assertThat(report.firstFailures()).hasSize(20)
                    .allSatisfy(f -> assertThat(f.detail()).isEqualTo("the server answered 500"));
        }
    }

    @Test
    void maxRequestsBoundsTheCountExactlyAndNumbersEachRequestOnceAcrossIoThreads() throws Exception {
        final Set<Long> sequences = ConcurrentHashMap.newKeySet();
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            final LoadReport report = loadOn(server)
                    .concurrency(7).ioThreads(2).maxRequests(1_001).listener(r -> sequences.add(r.sequence()))
                    .build().run();

            assertThat(report.total()).as(report.summary()).isEqualTo(1_001);
            assertThat(sequences).hasSize(1_001).contains(1L, 1_001L).allSatisfy(n -> assertThat(n).isBetween(1L, 1_001L));
        }
    }

    @Test
    void slowMixIssuesItsExactShareAndTheirLatencyShowsInTheTail() throws Exception {
        final List<RequestRecord> slow = new CopyOnWriteArrayList<>();
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            final LoadReport report = loadOn(server)
                    .concurrency(10).maxRequests(200).slowEvery(10).slowMs(200)
                    .listener(r -> {
                        if (r.kind() == RequestKind.SLOW) {
                            slow.add(r);
                        }
                    })
                    .build().run();

            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.requests(RequestKind.SLOW)).isEqualTo(20);
            assertThat(report.requests(RequestKind.NORMAL)).isEqualTo(180);
            assertThat(report.latency().p99Ms()).isGreaterThanOrEqualTo(200);
            assertThat(report.latency().p50Ms()).isLessThan(200);
            assertThat(slow).hasSize(20).allSatisfy(r -> {
                assertThat(r.sequence() % 10).isZero();
                assertThat(r.latencyNanos()).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
                assertThat(r.version()).isEqualTo("v1");
            });
        }
    }

    @Test
    void uploadsAreStreamedAndTheServersEchoOfBytesAndHashIsVerified() throws Exception {
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            final LoadReport report = loadOn(server)
                    .concurrency(4).maxRequests(40).uploadEvery(2).uploadBytes(300_001)
                    .build().run();

            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.requests(RequestKind.UPLOAD)).isEqualTo(20);
            assertThat(report.statusCount(200)).isEqualTo(40);
        }
    }

    @Test
    void progressIsReportedAtItsIntervalWhileTheLoadRuns() throws Exception {
        final List<ProgressSnapshot> snapshots = new CopyOnWriteArrayList<>();
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            final LoadReport report = loadOn(server)
                    .concurrency(4).duration(Duration.ofMillis(1_000))
                    .progressInterval(Duration.ofMillis(100)).progress(snapshots::add)
                    .build().run();

            assertThat(snapshots).hasSizeBetween(5, 11);
            assertThat(snapshots).isSortedAccordingTo((a, b) -> Long.compare(a.total(), b.total()));
            assertThat(snapshots).anySatisfy(s -> assertThat(s.requestsPerSecond()).isPositive());
            assertThat(snapshots).allSatisfy(s -> assertThat(s.ok() + s.failed()).isEqualTo(s.total()));
            assertThat(snapshots.getLast().total()).isLessThanOrEqualTo(report.total());
        }
    }

    @Test
    void aListenerThatThrowsIsReportedToTheCallerAfterTheRun() throws Exception {
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            final LoadGenerator generator = loadOn(server)
                    .concurrency(2).maxRequests(50)
                    .listener(r -> {
                        if (r.sequence() == 5) {
                            throw new AssertionError("request 5 answered by the wrong version");
                        }
                    })
                    .build();

            assertThatThrownBy(generator::run).isInstanceOf(AssertionError.class)
                    .hasMessage("request 5 answered by the wrong version");
        }
    }

    @Test
    void runLeavesNoIoThreadBehind() throws Exception {
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            loadOn(server).concurrency(2).maxRequests(10).ioThreads(2).build().run();
        }

        // A thread whose executor has terminated may take a moment to die.
        final long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (loadgenThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(loadgenThreads()).isZero();
    }

    private static long loadgenThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("cutover-loadgen")).count();
    }

    /** Load on a sample app, with a request timeout short enough that a stalled backend fails fast. */
    static LoadGeneratorBuilder loadOn(SampleServer server) {
        return LoadGenerator.builder(URI.create("http://127.0.0.1:" + server.port() + "/"))
                .requestTimeout(Duration.ofSeconds(5));
    }
}
