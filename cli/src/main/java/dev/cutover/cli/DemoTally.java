package dev.cutover.cli;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;

import dev.cutover.loadgen.FailureCause;
import dev.cutover.loadgen.RequestListener;
import dev.cutover.loadgen.RequestRecord;

/**
 * The demo's books: per step, requests ok and failed and which versions answered. The 500s that the
 * deliberately bad release answers are expected (verification exists to catch them) and are kept
 * apart from real failures. Called on load I/O threads: counters only, no locks.
 */
final class DemoTally implements RequestListener {

    private final String badVersion;
    private final List<Step> steps = new CopyOnWriteArrayList<>();
    private volatile Step current;

    DemoTally(String badVersion) {
        this.badVersion = badVersion;
        nextStep();
    }

    /** Requests completing from now on count for a new step; returns its index. */
    int nextStep() {
        Step step = new Step();
        steps.add(step);
        current = step;
        return steps.size() - 1;
    }

    Step step(int index) {
        return steps.get(index);
    }

    /** Waits until the current step has seen {@code requests} complete, or {@code timeout} passed. */
    void awaitRequests(long requests, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Step step = current;
        while (step.ok() + step.failed() + step.expectedErrors() < requests && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
    }

    long unexpectedFailures() {
        return steps.stream().mapToLong(Step::failed).sum();
    }

    long expectedErrors() {
        return steps.stream().mapToLong(Step::expectedErrors).sum();
    }

    @Override
    public void onRequest(RequestRecord r) {
        Step step = current;
        if (r.version() != null) {
            step.versions.add(r.version());
        }
        if (r.ok()) {
            step.ok.increment();
        } else if (r.cause() == FailureCause.HTTP_5XX && badVersion.equals(r.version())) {
            step.expectedErrors.increment();
        } else {
            step.failed.increment();
        }
    }

    static final class Step {
        private final LongAdder ok = new LongAdder();
        private final LongAdder failed = new LongAdder();
        private final LongAdder expectedErrors = new LongAdder();
        private final Set<String> versions = ConcurrentHashMap.newKeySet();

        long ok() {
            return ok.sum();
        }

        long failed() {
            return failed.sum();
        }

        long expectedErrors() {
            return expectedErrors.sum();
        }

        Set<String> versions() {
            return new TreeSet<>(versions);
        }
    }
}
