package dev.cutover.engine.health;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import dev.cutover.engine.HealthSpec;

/**
 * Waits for a release to answer its health endpoint: HTTP/1.1 GET on 127.0.0.1, one try every
 * interval, healthy after {@code healthyThreshold} good answers in a row (one sample proves
 * little), a bad answer resets the streak. Three things end the wait early: enough good answers,
 * the process dying (no point waiting out a deadline for a corpse), and an interrupt.
 * <p>
 * Redirects are not followed: a 302 to a login page is not health.
 */
public final class HealthCheck implements AutoCloseable {

    /** Spacing below this would be a busy loop. */
    private static final Duration MIN_INTERVAL = Duration.ofMillis(10);

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();

    /**
     * @param processExit completes when the release's process ends, with its exit code (-1 unknown)
     * @param onAttempt   told about every try, for progress events
     * @return healthy, or failed with a sentence; if the thread was interrupted, failed as cancelled
     *         with the interrupt flag set again
     */
    public HealthResult await(HealthSpec spec, int port, CompletableFuture<Integer> processExit,
                              Consumer<HealthAttempt> onAttempt) {
        final long began = System.nanoTime();
        final long deadline = began + spec.deadline().toNanos();
        final long interval = Math.max(spec.interval().toNanos(), MIN_INTERVAL.toNanos());
        final int maxAttempts = (int) Math.max(1, Math.min(Integer.MAX_VALUE, ceilDiv(spec.deadline().toNanos(), interval)));
        final String what = "GET " + spec.path() + " on port " + port;
        final URI uri = URI.create("http://127.0.0.1:" + port + spec.path());

        int attempts = 0;
        int streak = 0;
        HealthAttempt last = null;
        while (true) {
            if (processExit.isDone()) {
                return HealthResult.died(attempts, since(began), exitCode(processExit));
            }
            final long now = System.nanoTime();
            final long tryTimeout = Math.max(1, Math.min(spec.timeout().toNanos(), deadline - now));
            attempts++;
            final CompletableFuture<HttpResponse<Void>> call =
                    client.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofNanos(tryTimeout)).GET().build(),
                            HttpResponse.BodyHandlers.discarding());
            int status = 0;
            String detail;
            try {
                CompletableFuture.anyOf(call, processExit).get(tryTimeout, TimeUnit.NANOSECONDS);
                if (processExit.isDone()) {
                    call.cancel(true);
                    return HealthResult.died(attempts, since(began), exitCode(processExit));
                }
                status = call.join().statusCode();
                detail = Integer.toString(status);
            } catch (TimeoutException e) {
                call.cancel(true);
                detail = "timed out after " + seconds(Duration.ofNanos(tryTimeout));
            } catch (ExecutionException | CancellationException | java.util.concurrent.CompletionException e) {
                if (processExit.isDone()) {
                    return HealthResult.died(attempts, since(began), exitCode(processExit));
                }
                detail = describe(e.getCause() == null ? e : e.getCause(), tryTimeout);
            } catch (InterruptedException e) {
                call.cancel(true);
                Thread.currentThread().interrupt();
                return cancelled(attempts, began, what);
            }
            streak = spec.isHealthy(status) ? streak + 1 : 0;
            last = new HealthAttempt(attempts, maxAttempts, status, detail, streak);
            onAttempt.accept(last);
            if (streak >= spec.healthyThreshold()) {
                return HealthResult.healthy(attempts, since(began));
            }
            final long nextAt = began + attempts * interval;
            if (attempts >= maxAttempts || nextAt - deadline >= 0 || System.nanoTime() - deadline >= 0) {
                return HealthResult.failed(attempts, since(began), neverHealthy(spec, last, attempts, since(began), what));
            }
            try {
                final long pause = nextAt - System.nanoTime();
                if (pause > 0) {
                    processExit.get(pause, TimeUnit.NANOSECONDS);
                }
            } catch (TimeoutException e) {
                // time for the next try
            } catch (ExecutionException | CancellationException e) {
                // the exit watch itself failed; the loop's isDone check reports it as a death
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return cancelled(attempts, began, what);
            }
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
    }

    private static HealthResult cancelled(int attempts, long began, String what) {
        return HealthResult.failed(attempts, since(began),
                "the health check was cancelled after " + attempts + " tries of " + what);
    }

    private static String neverHealthy(HealthSpec spec, HealthAttempt last, int attempts, Duration took, String what) {
        final String tries = attempts + (attempts == 1 ? " try" : " tries") + " over " + seconds(took);
        final String lastOne = last.status() > 0
                ? "last answer " + last.status() + " from " + what
                : "last try " + what + ": " + last.detail();
        final String streak = last.streak() > 0
                ? " (" + last.streak() + " good answers in a row, " + spec.healthyThreshold() + " needed)"
                : "";
        return "never became healthy: " + tries + ", " + lastOne + streak;
    }

    private static String describe(Throwable failure, long timeoutNanos) {
        if (failure instanceof HttpTimeoutException) {
            return "timed out after " + seconds(Duration.ofNanos(timeoutNanos));
        }
        if (failure instanceof ConnectException) {
            return "connection refused";
        }
        if (failure instanceof IOException && failure.getMessage() != null && failure.getMessage().contains("no bytes")) {
            return "connection closed without an answer";
        }
        return failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
    }

    private static int exitCode(CompletableFuture<Integer> processExit) {
        try {
            return processExit.getNow(-1);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static Duration since(long began) {
        return Duration.ofNanos(System.nanoTime() - began);
    }

    /** "2 s", "0.5 s", "120 s". */
    static String seconds(Duration d) {
        final double s = d.toMillis() / 1000.0;
        return s >= 10 || s == Math.rint(s)
                ? String.format(Locale.ROOT, "%d s", Math.round(s))
                : String.format(Locale.ROOT, "%.1f s", s);
    }
}
