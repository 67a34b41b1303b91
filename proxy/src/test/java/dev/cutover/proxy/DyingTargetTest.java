package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import dev.cutover.loadgen.LoadGenerator;
import dev.cutover.loadgen.LoadReport;
import dev.cutover.sample.SampleServer;
import dev.cutover.testing.Eventually;

/**
 * The instant a target dies: requests that picked it just before the switch, and pooled
 * connections to it, find it gone before a byte reached it. They go to the current route
 * instead, and no client sees a failure.
 */
class DyingTargetTest {

    @Test
    void backendKilledRightAfterEachSwitchCostsNoRequestThatNeverReachedIt() throws Exception {
        try (ProxyHarness harness = ProxyHarness.start()) {
            SampleServer current = ProxyHarness.backend("v0");
            harness.routeTo(current);
            AtomicLong completed = new AtomicLong();
            LoadGenerator load = LoadGenerator.builder(URI.create("http://127.0.0.1:" + harness.port() + "/"))
                    .concurrency(32).duration(Duration.ofSeconds(120)).maxRequests(2_000_000)
                    .listener(record -> completed.incrementAndGet())
                    .build();
            load.start();
            long retriedAway = 0;
            for (int round = 1; round <= 20; round++) {
                SampleServer next = ProxyHarness.backend("v" + round);
                long before = completed.get();
                Eventually.await("traffic on the current version", Duration.ofSeconds(10), () -> completed.get() >= before + 300);

                Target dying = harness.proxy.routes().service("web").activeTarget();
                harness.routeTo(next);
                current.kill(); // no drain: the worst case, it dies the moment traffic leaves it

                retriedAway += dying.stats().retriedAway();
                current = next;
            }
            long before = completed.get();
            Eventually.await("traffic after the last switch", Duration.ofSeconds(10), () -> completed.get() >= before + 300);
            LoadReport report = load.stop();
            current.close();

            assertThat(report.failed()).as(report.summary() + "\nrequests moved off dying targets: " + retriedAway).isZero();
            assertThat(report.versions()).containsKey("v20");
        }
    }
}
