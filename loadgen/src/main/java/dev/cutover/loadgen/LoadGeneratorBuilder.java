package dev.cutover.loadgen;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/** Knobs of a {@link LoadGenerator}; every one has a default except the target URL. */
public final class LoadGeneratorBuilder {

    private final URI target;
    private int concurrency = 32;
    private Duration duration;
    private long maxRequests = Long.MAX_VALUE;
    private int slowEvery;
    private long slowMs = 1000;
    private String slowPath = "/slow";
    private int uploadEvery;
    private long uploadBytes = 64 * 1024;
    private String uploadPath = "/upload";
    private Duration requestTimeout = Duration.ofSeconds(30);
    private String versionHeader = "X-Version";
    private RequestListener listener;
    private Consumer<ProgressSnapshot> progress;
    private Duration progressInterval = Duration.ofSeconds(1);
    private int ioThreads = 1;

    LoadGeneratorBuilder(URI target) {
        this.target = Objects.requireNonNull(target, "target");
    }

    /** Connections, each a closed loop: one request in flight at a time. Default 32. */
    public LoadGeneratorBuilder concurrency(int connections) {
        this.concurrency = positive(connections, "concurrency");
        return this;
    }

    /** Stop issuing requests after this long. With {@link #maxRequests}, whichever comes first. */
    public LoadGeneratorBuilder duration(Duration duration) {
        this.duration = positive(duration, "duration");
        return this;
    }

    /** Issue exactly this many requests at most. With {@link #duration}, whichever comes first. */
    public LoadGeneratorBuilder maxRequests(long maxRequests) {
        this.maxRequests = positive(maxRequests, "maxRequests");
        return this;
    }

    /** Every n-th request of the run is {@code GET /slow?ms=<slowMs>}; 0 (default) for none. */
    public LoadGeneratorBuilder slowEvery(int n) {
        this.slowEvery = notNegative(n, "slowEvery");
        return this;
    }

    /** How long the server should hold a slow request. Default 1000. */
    public LoadGeneratorBuilder slowMs(long ms) {
        this.slowMs = notNegative(ms, "slowMs");
        return this;
    }

    /** Path of the slow endpoint. Default {@code /slow}. */
    public LoadGeneratorBuilder slowPath(String path) {
        this.slowPath = path(path, "slowPath");
        return this;
    }

    /** Every n-th request of the run is a verified {@code POST /upload}; 0 (default) for none. */
    public LoadGeneratorBuilder uploadEvery(int n) {
        this.uploadEvery = notNegative(n, "uploadEvery");
        return this;
    }

    /** Size of each upload body, streamed in chunks. Default 64 KiB. */
    public LoadGeneratorBuilder uploadBytes(long bytes) {
        this.uploadBytes = notNegative(bytes, "uploadBytes");
        return this;
    }

    /** Path of the upload endpoint. Default {@code /upload}. */
    public LoadGeneratorBuilder uploadPath(String path) {
        this.uploadPath = path(path, "uploadPath");
        return this;
    }

    /** A request without a complete response this long after it was issued fails as a timeout. Default 30 s. */
    public LoadGeneratorBuilder requestTimeout(Duration timeout) {
        this.requestTimeout = positive(timeout, "requestTimeout");
        return this;
    }

    /** Response header whose value says which version answered. Default {@code X-Version}. */
    public LoadGeneratorBuilder versionHeader(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("versionHeader must be a header name, got '" + name + "'");
        }
        this.versionHeader = name.strip();
        return this;
    }

    /** Told about every completed request, on an I/O thread. */
    public LoadGeneratorBuilder listener(RequestListener listener) {
        this.listener = listener;
        return this;
    }

    /** Given a snapshot every {@link #progressInterval} (default every second), on a thread of its own. */
    public LoadGeneratorBuilder progress(Consumer<ProgressSnapshot> progress) {
        this.progress = progress;
        return this;
    }

    public LoadGeneratorBuilder progressInterval(Duration interval) {
        this.progressInterval = positive(interval, "progressInterval");
        return this;
    }

    /** Event loop threads. One pushes tens of thousands of small requests a second. Default 1. */
    public LoadGeneratorBuilder ioThreads(int threads) {
        this.ioThreads = positive(threads, "ioThreads");
        return this;
    }

    public LoadGenerator build() {
        if (!"http".equalsIgnoreCase(target.getScheme())) {
            throw new IllegalArgumentException("the load generator speaks plain http only; cannot load " + target);
        }
        final String host = target.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("no host in " + target + "; write it as http://host:port/path");
        }
        final int port = target.getPort() == -1 ? 80 : target.getPort();
        final String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        final String normalTarget = target.getRawQuery() == null ? path : path + "?" + target.getRawQuery();
        final String slowTarget = slowPath + (slowPath.contains("?") ? "&" : "?") + "ms=" + slowMs;
        return new LoadGenerator(new LoadSettings(
                target.toString(),
                host.startsWith("[") ? host.substring(1, host.length() - 1) : host,
                port,
                port == 80 ? host : host + ":" + port,
                normalTarget, slowTarget, uploadPath,
                new RequestMix(slowEvery, uploadEvery), uploadBytes,
                concurrency, duration, maxRequests, requestTimeout, versionHeader,
                listener, progress, progressInterval, ioThreads));
    }

    private static int positive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
        return value;
    }

    private static long positive(long value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
        return value;
    }

    private static int notNegative(int value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be 0 or more, got " + value);
        }
        return value;
    }

    private static long notNegative(long value, String name) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be 0 or more, got " + value);
        }
        return value;
    }

    private static Duration positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
        return value;
    }

    private static String path(String value, String name) {
        if (value == null || !value.startsWith("/")) {
            throw new IllegalArgumentException(name + " must start with '/', got '" + value + "'");
        }
        // It goes verbatim into the request line: a space or a line break would forge another request.
        if (value.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException(name + " must be a URL-encoded path without spaces, got '" + value + "'");
        }
        return value;
    }
}
