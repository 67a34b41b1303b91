package dev.cutover.sample;

import java.time.Duration;
import java.util.Objects;

/**
 * How one sample-app instance behaves: where it listens, which version it claims to be, and
 * which of the deliberate failures (never healthy, crash on start, 500s, slow start) it shows.
 * Invalid values are refused here, so every way of building options (flags, env, behavior
 * file, tests) gets the same error sentences.
 */
public record SampleOptions(String host, int port, String version, boolean neverHealthy, double errorRatio,
                            Duration startupDelay, boolean crashOnStart) {

    public static final String DEFAULT_HOST = "127.0.0.1";

    public SampleOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(startupDelay, "startupDelay");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty; use 127.0.0.1 or 0.0.0.0");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535 (0 picks a free port), got " + port);
        }
        // The version travels in the X-Version header and in log lines: keep it one visible token.
        if (version.isEmpty() || version.length() > 100 || !version.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("version must be 1 to 100 visible ASCII characters without spaces, e.g. v2 or 2024-06-01.3, got '"
                    + version + "'");
        }
        if (!(errorRatio >= 0 && errorRatio <= 1)) {
            throw new IllegalArgumentException("error ratio must be between 0 and 1 (0.5 fails every second request), got " + errorRatio);
        }
        if (startupDelay.isNegative()) {
            throw new IllegalArgumentException("startup delay must not be negative, got " + startupDelay);
        }
    }

    /** A healthy instance on 127.0.0.1: no errors, no delay, no crash. */
    public static SampleOptions of(int port, String version) {
        return new SampleOptions(DEFAULT_HOST, port, version, false, 0, Duration.ZERO, false);
    }

    public SampleOptions withHost(String h) {
        return new SampleOptions(h, port, version, neverHealthy, errorRatio, startupDelay, crashOnStart);
    }

    public SampleOptions withPort(int p) {
        return new SampleOptions(host, p, version, neverHealthy, errorRatio, startupDelay, crashOnStart);
    }

    public SampleOptions withVersion(String v) {
        return new SampleOptions(host, port, v, neverHealthy, errorRatio, startupDelay, crashOnStart);
    }

    public SampleOptions withNeverHealthy(boolean b) {
        return new SampleOptions(host, port, version, b, errorRatio, startupDelay, crashOnStart);
    }

    public SampleOptions withErrorRatio(double r) {
        return new SampleOptions(host, port, version, neverHealthy, r, startupDelay, crashOnStart);
    }

    public SampleOptions withStartupDelay(Duration d) {
        return new SampleOptions(host, port, version, neverHealthy, errorRatio, d, crashOnStart);
    }

    public SampleOptions withCrashOnStart(boolean b) {
        return new SampleOptions(host, port, version, neverHealthy, errorRatio, startupDelay, b);
    }
}
