package dev.cutover.engine.traffic;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How cutover drives an existing nginx: the {@code nginx:} section of cutover.yml.
 *
 * @param binary        the nginx executable ({@code nginx} on PATH by default)
 * @param prefix        passed as {@code -p} to every nginx command; null for nginx's compiled-in prefix
 * @param config        the operator's main config, passed as {@code -c} to {@code nginx -t} and the default
 *                      reload; null for nginx's compiled-in one
 * @param pidFile       where the running master writes its pid; cutover watches that master's workers
 * @param reloadCommand argv that reloads nginx; empty for {@code nginx [-p] [-c] -s reload}
 * @param upstreamDir   where cutover writes {@code cutover-NAME.upstream}, one file per service
 * @param reloadTimeout for {@code nginx -t}, the reload command, and the new workers to appear
 * @param accessLog     the file nginx writes in the {@code cutover} log_format; null when not set up,
 *                      and then no counters (and no verification)
 * @param keepalive     idle connections each nginx worker keeps to the release
 */
public record NginxSettings(String binary, Path prefix, Path config, Path pidFile, List<String> reloadCommand,
                            Path upstreamDir, Duration reloadTimeout, Path accessLog, int keepalive) {

    /** What the operator adds to the {@code http} block of nginx.conf to give cutover its counters. */
    public static final String LOG_FORMAT = "log_format cutover '$status $upstream_addr';";

    public NginxSettings {
        Objects.requireNonNull(binary, "binary");
        Objects.requireNonNull(pidFile, "pidFile");
        Objects.requireNonNull(upstreamDir, "upstreamDir");
        Objects.requireNonNull(reloadTimeout, "reloadTimeout");
        reloadCommand = reloadCommand == null ? List.of() : List.copyOf(reloadCommand);
    }

    /** The defaults of cutover.yml for an nginx installed from the distribution's package. */
    public static NginxSettings defaults(Path upstreamDir) {
        return new NginxSettings("nginx", null, null, Path.of("/run/nginx.pid"), List.of(), upstreamDir,
                Duration.ofSeconds(10), null, 32);
    }

    public NginxSettings withInstance(String binary, Path prefix, Path config, Path pidFile) {
        return new NginxSettings(binary, prefix, config, pidFile, reloadCommand, upstreamDir, reloadTimeout, accessLog,
                keepalive);
    }

    public NginxSettings withAccessLog(Path accessLog) {
        return new NginxSettings(binary, prefix, config, pidFile, reloadCommand, upstreamDir, reloadTimeout, accessLog,
                keepalive);
    }

    public NginxSettings withReloadCommand(List<String> reloadCommand) {
        return new NginxSettings(binary, prefix, config, pidFile, reloadCommand, upstreamDir, reloadTimeout, accessLog,
                keepalive);
    }

    public NginxSettings withReloadTimeout(Duration reloadTimeout) {
        return new NginxSettings(binary, prefix, config, pidFile, reloadCommand, upstreamDir, reloadTimeout, accessLog,
                keepalive);
    }

    /** {@code nginx [-p prefix] [-c config] extra...}: how every nginx command of ours begins. */
    List<String> nginx(String... extra) {
        List<String> argv = new ArrayList<>();
        argv.add(binary);
        if (prefix != null) {
            argv.add("-p");
            argv.add(prefix.toString());
        }
        if (config != null) {
            argv.add("-c");
            argv.add(config.toString());
        }
        argv.addAll(List.of(extra));
        return argv;
    }

    List<String> reload() {
        return reloadCommand.isEmpty() ? nginx("-s", "reload") : reloadCommand;
    }
}
