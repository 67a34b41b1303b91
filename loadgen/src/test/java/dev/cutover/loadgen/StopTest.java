package dev.cutover.loadgen;

import dev.cutover.sample.SampleOptions;
import dev.cutover.sample.SampleServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** How a load ends: at its duration, or at stop(), which lets the requests in flight finish. */
@Timeout(30)
class StopTest {

    @Test
    void stopWaitsForTheRequestsInFlightAndCountsThemOk() throws Exception {
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            final LoadGenerator generator = LoadGeneratorTest.loadOn(server)
                    .concurrency(4).slowEvery(1).slowMs(300).requestTimeout(Duration.ofSeconds(5))
                    .build();
            generator.start();
            Thread.sleep(50);
            final long stopping = System.nanoTime();
            final LoadReport report = generator.stop();
            final Duration stopTook = Duration.ofNanos(System.nanoTime() - stopping);

            assertThat(stopTook).isGreaterThan(Duration.ofMillis(150)).isLessThan(Duration.ofSeconds(2));
            assertThat(report.total()).as(report.summary()).isEqualTo(4);
            assertThat(report.ok()).isEqualTo(4);
            assertThat(generator.awaitReport()).isSameAs(report);
        }
    }

    @Test
    void stopReturnsWithinTheRequestTimeoutWhenTheServerHoldsRequestsLonger() throws Exception {
        final SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"));
        try {
            final LoadGenerator generator = LoadGeneratorTest.loadOn(server)
                    .concurrency(4).slowEvery(1).slowMs(10_000).requestTimeout(Duration.ofMillis(500))
                    .build();
            generator.start();
            Thread.sleep(100);
            final long stopping = System.nanoTime();
            final LoadReport report = generator.stop();
            final Duration stopTook = Duration.ofNanos(System.nanoTime() - stopping);

            assertThat(stopTook).isLessThan(Duration.ofMillis(1_500));
            assertThat(report.total()).as(report.summary()).isEqualTo(4);
            assertThat(report.failures(FailureCause.TIMEOUT)).isEqualTo(4);
        } finally {
            server.kill();
        }
    }

    @Test
    void durationEndsTheRunByItself() throws Exception {
        try (SampleServer server = SampleServer.start(SampleOptions.of(0, "v1"))) {
            final long started = System.nanoTime();
            final LoadReport report = LoadGeneratorTest.loadOn(server)
                    .concurrency(4).duration(Duration.ofMillis(400)).build().run();
            final Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofSeconds(3));
            assertThat(report.durationSeconds()).isBetween(0.4, 2.0);
            assertThat(report.failed()).as(report.summary()).isZero();
            assertThat(report.total()).isPositive();
        }
    }
}
