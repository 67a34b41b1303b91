package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;
import dev.cutover.loadgen.RequestKind;
import dev.cutover.loadgen.RequestRecord;
import dev.cutover.sample.SampleServer;
import dev.cutover.testing.Eventually;

/**
 * The centre of the suite: traffic keeps flowing through switches. 32 keep-alive clients, one
 * request in 20 taking a second, 200 switches between two live backends: no request fails, and
 * every answer comes from a version that was active when the request was sent, or later.
 */
class SwitchUnderLoadTest {

    @Test
    void twoHundredSwitchesUnderLoadLoseNoRequestAndServeNoStaleRoute() throws Exception {
        SampleServer blue = ProxyHarness.backend("blue");
        SampleServer green = ProxyHarness.backend("green");
        try (ProxyHarness harness = ProxyHarness.start()) {
            Target blueTarget = ProxyHarness.targetOf(blue);
            Target greenTarget = ProxyHarness.targetOf(green);
            SwitchLog switches = new SwitchLog();
            switches.record(System.nanoTime(), harness.web, blueTarget);

            ConcurrentLinkedQueue<RequestRecord> records = new ConcurrentLinkedQueue<>();
            AtomicLong completed = new AtomicLong();
            LoadGenerator load = LoadGenerator.builder(URI.create("http://127.0.0.1:" + harness.port() + "/"))
                    .concurrency(32).duration(Duration.ofSeconds(120)).maxRequests(2_000_000)
                    .slowEvery(20).slowMs(1000)
                    .listener(record -> {
                        records.add(record);
                        completed.incrementAndGet();
                    })
                    .build();
            load.start();

            for (int i = 0; i < 200; i++) {
                long before = completed.get();
                // Pace switches by traffic, not by the clock: at least 60 answers between two switches (a switch every ~100 ms).
                Eventually.await("requests to flow between switches", Duration.ofSeconds(10), () -> completed.get() >= before + 60);
                switches.record(System.nanoTime(), harness.web, i % 2 == 0 ? greenTarget : blueTarget);
            }
            LoadReport report = load.stop();

            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.requests(RequestKind.SLOW)).as("slow requests spanning switches").isGreaterThan(100);
            assertThat(report.versions().keySet()).containsExactlyInAnyOrder("blue", "green");
            List<String> stale = new ArrayList<>();
            for (RequestRecord record : records) {
                if (!switches.possibleVersions(record.dispatchNanos(), record.completedNanos()).contains(record.version())) {
                    stale.add(record.toString());
                }
            }
            assertThat(stale).as("answers from a version that was no longer active when the request was sent").isEmpty();
            assertThat(blueTarget.inFlight() + greenTarget.inFlight()).isZero();
        } finally {
            blue.close();
            green.close();
        }
    }

    /** When each switch happened: the swap falls somewhere between the two clock readings around it. */
    static final class SwitchLog {
        private final List<long[]> windows = new ArrayList<>(); // {before, after}
        private final List<String> versions = new ArrayList<>();

        void record(long before, Service service, Target next) {
            service.switchTo(next);
            windows.add(new long[] {before, System.nanoTime()});
            versions.add(next.name());
        }

        /**
         * Every version that may have been active at some moment between {@code from} and {@code to}:
         * version k became active no earlier than its swap began (before_k <= to), and stopped no
         * later than the next swap ended (after_k+1 > from).
         */
        Set<String> possibleVersions(long from, long to) {
            Set<String> possible = new HashSet<>();
            for (int k = 0; k < windows.size(); k++) {
                boolean beganInTime = windows.get(k)[0] - to <= 0;
                boolean lastedLongEnough = k + 1 == windows.size() || windows.get(k + 1)[1] - from > 0;
                if (beganInTime && lastedLongEnough) {
                    possible.add(versions.get(k));
                }
            }
            return possible;
        }
    }
}
