package dev.cutover.loadgen;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FailureRunTest {

    private static final long MS = 1_000_000;

    @Test
    void nothingFailedMeansNoWindow() {
        final FailureRun run = new FailureRun();
        run.ok();

        assertThat(run.longest(0)).isEqualTo(FailureWindow.NONE);
    }

    @Test
    void longestRunOfConsecutiveFailuresWinsAndAnOkEndsARun() {
        final FailureRun run = new FailureRun();
        run.failed(10 * MS, 11 * MS);
        run.failed(12 * MS, 13 * MS);
        run.ok();
        run.failed(100 * MS, 101 * MS);
        run.failed(102 * MS, 103 * MS);
        run.failed(104 * MS, 110 * MS);
        run.ok();
        run.failed(200 * MS, 201 * MS);

        assertThat(run.longest(0)).isEqualTo(new FailureWindow(3, 10.0, 100.0));
    }

    @Test
    void windowStartsAtTheEarliestDispatchAmongItsRequests() {
        // With concurrency, a request dispatched early can complete after one dispatched later.
        final FailureRun run = new FailureRun();
        run.failed(50 * MS, 60 * MS);
        run.failed(40 * MS, 70 * MS);

        assertThat(run.longest(10 * MS)).isEqualTo(new FailureWindow(2, 30.0, 30.0));
    }
}
