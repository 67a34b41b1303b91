package dev.cutover.server.config;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.traffic.NginxSettings;
import dev.cutover.proxy.ProxyConfig;

/**
 * Reads cutover.yml strictly: an unknown key, a value of the wrong type, a clash between two ports
 * or two routes, is an error naming the file, the line, the key and what to write instead. Every
 * problem found is reported at once, one per line, so one edit fixes them all.
 *
 * <p>A complete, commented example is {@code cutover.example.yml} next to this class. The keys:
 *
 * <table>
 * <caption>cutover.yml</caption>
 * <tr><th>key</th><th>default</th><th>meaning</th></tr>
 * <tr><td>proxy.listen</td><td>required</td><td>host:port the proxy serves on: 127.0.0.1:8080, 0.0.0.0:80, [::1]:8080</td></tr>
 * <tr><td>proxy.io_threads</td><td>0</td><td>event loop threads; 0 = one per core</td></tr>
 * <tr><td>proxy.transport</td><td>auto</td><td>auto (epoll where available), epoll or nio</td></tr>
 * <tr><td>proxy.trusted_proxies</td><td>[]</td><td>IPs or CIDR ranges whose X-Forwarded-* headers are kept</td></tr>
 * <tr><td>proxy.max_connections</td><td>10000</td><td>client connections open at once</td></tr>
 * <tr><td>proxy.max_idle_upstreams_per_target</td><td>256</td><td>idle pooled upstream connections kept per target</td></tr>
 * <tr><td>proxy.max_header_size</td><td>16KB</td><td>request headers, in bytes (8192, 16KB, 1MB); at least 256</td></tr>
 * <tr><td>proxy.max_initial_line</td><td>8KB</td><td>request line, in bytes; at least 64</td></tr>
 * <tr><td>proxy.timeouts.client_header</td><td>10s</td><td>until a request's headers are in, else 408</td></tr>
 * <tr><td>proxy.timeouts.client_idle</td><td>75s</td><td>idle keep-alive connection, or a stalled body, then closed</td></tr>
 * <tr><td>proxy.timeouts.upstream_connect</td><td>5s</td><td>connecting to a release, else 504</td></tr>
 * <tr><td>proxy.timeouts.upstream_response</td><td>60s</td><td>waiting for a release's next response byte</td></tr>
 * <tr><td>proxy.timeouts.upstream_idle</td><td>4s</td><td>idle pooled upstream connection kept (below Node's 5 s)</td></tr>
 * <tr><td>traffic</td><td>proxy</td><td>the traffic switch: proxy (cutover's own) or nginx (an nginx the operator keeps); one per daemon</td></tr>
 * <tr><td>nginx.upstream_dir</td><td>required with traffic: nginx</td><td>folder cutover writes cutover-NAME.upstream into (upstream cutover_NAME)</td></tr>
 * <tr><td>nginx.binary</td><td>nginx</td><td>the nginx executable, on PATH or a path</td></tr>
 * <tr><td>nginx.config</td><td>nginx's own</td><td>main config, passed as -c to nginx -t and nginx -s reload</td></tr>
 * <tr><td>nginx.prefix</td><td>nginx's own</td><td>passed as -p to every nginx command</td></tr>
 * <tr><td>nginx.pid_file</td><td>/run/nginx.pid</td><td>the master's pid file (nginx.conf's pid directive)</td></tr>
 * <tr><td>nginx.reload_command</td><td>nginx [-p] [-c] -s reload</td><td>argv that reloads nginx, e.g. [systemctl, reload, nginx]</td></tr>
 * <tr><td>nginx.reload_timeout</td><td>10s</td><td>for nginx -t, the reload command, and nginx to replace its workers</td></tr>
 * <tr><td>nginx.access_log</td><td>none</td><td>file nginx logs to in log_format cutover '$status $upstream_addr'; needed for verify</td></tr>
 * <tr><td>nginx.keepalive</td><td>32</td><td>idle connections each nginx worker keeps to a release (0 = none)</td></tr>
 * <tr><td>state_dir</td><td>required</td><td>database, releases and logs; relative to the config file's folder</td></tr>
 * <tr><td>control.socket</td><td>&lt;state_dir&gt;/control.sock</td><td>Unix socket of the control API</td></tr>
 * <tr><td>control.listen</td><td>none</td><td>optional TCP listener (host:port) for the control API; needs token_file and tls</td></tr>
 * <tr><td>control.token_file</td><td>none</td><td>file holding the TCP listener's bearer token: must exist, not be empty, mode 600</td></tr>
 * <tr><td>control.tls.cert</td><td>required with listen</td><td>PEM certificate chain of the TCP listener, the daemon's own certificate first</td></tr>
 * <tr><td>control.tls.key</td><td>required with listen</td><td>PEM PKCS#8 private key of that certificate: unencrypted, not world-readable</td></tr>
 * <tr><td>control.tls: off</td><td>-</td><td>plain HTTP on the TCP listener instead; only on a loopback listen address</td></tr>
 * <tr><td>docker.host</td><td>DOCKER_HOST, else unix:///var/run/docker.sock</td><td>the Docker engine for runtime: docker services: unix:///path or tcp://host:port</td></tr>
 * <tr><td>services</td><td>required</td><td>at least one service, by name ([a-z0-9][a-z0-9-]*)</td></tr>
 * <tr><td>services.NAME.runtime</td><td>process</td><td>how releases run: process, or docker (a container on the host's network, from deploy --image)</td></tr>
 * <tr><td>services.NAME.command</td><td>required (docker: the image's)</td><td>argv list; placeholders ${PORT} ${VERSION} ${ARTIFACT} ${SLOT} (no ${ARTIFACT} for docker)</td></tr>
 * <tr><td>services.NAME.env</td><td>{}</td><td>environment variables added for the release</td></tr>
 * <tr><td>services.NAME.workdir</td><td>the service's folder in state_dir</td><td>where the command runs; relative to the config file's folder</td></tr>
 * <tr><td>services.NAME.ports.blue / .green</td><td>required</td><td>the two slots' ports, 1..65535, unique across the file</td></tr>
 * <tr><td>services.NAME.hosts</td><td>[] (any host)</td><td>Host names routed here: example.com, "*.example.com"</td></tr>
 * <tr><td>services.NAME.path</td><td>/</td><td>path prefix routed here; host + path must be unique across services</td></tr>
 * <tr><td>services.NAME.health.path</td><td>/health</td><td>GET on the release's port</td></tr>
 * <tr><td>services.NAME.health.interval</td><td>1s</td><td>between tries</td></tr>
 * <tr><td>services.NAME.health.timeout</td><td>2s</td><td>per try</td></tr>
 * <tr><td>services.NAME.health.deadline</td><td>120s</td><td>for the release to become healthy, else the deploy fails</td></tr>
 * <tr><td>services.NAME.health.healthy_threshold</td><td>2</td><td>good answers in a row needed; at least 1</td></tr>
 * <tr><td>services.NAME.health.expect_status</td><td>0</td><td>the status that counts as healthy; 0 = any 2xx</td></tr>
 * <tr><td>services.NAME.drain_timeout</td><td>30s</td><td>for the old release to finish its in-flight requests</td></tr>
 * <tr><td>services.NAME.stop_timeout</td><td>20s</td><td>between SIGTERM and SIGKILL</td></tr>
 * <tr><td>services.NAME.keep_releases</td><td>5</td><td>artifacts kept per service, for rollback; 1..1000</td></tr>
 * <tr><td>services.NAME.verify</td><td>off</td><td>watch the new release under traffic and switch back on errors; off, on (defaults below) or a map</td></tr>
 * <tr><td>services.NAME.verify.window</td><td>30s</td><td>how long to watch after the switch</td></tr>
 * <tr><td>services.NAME.verify.max_error_ratio</td><td>0.01</td><td>5xx share above which traffic goes back; 0..1</td></tr>
 * <tr><td>services.NAME.verify.min_requests</td><td>50</td><td>responses needed before the ratio counts</td></tr>
 * </table>
 *
 * <p>Durations are written 500ms, 30s, 5m or 1h, and must be longer than zero; sizes 8192, 16KB or 1MB.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** Reads and checks {@code file}; relative paths in it resolve against the file's folder. */
    public static CutoverConfig load(Path file) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(file + ": no such file; pass the right path with --config,"
                    + " or start from cutover.example.yml"));
        } catch (MalformedInputException e) {
            throw new ConfigException(List.of(file + ": not UTF-8 text; save it as UTF-8"));
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot be read (" + e + ")"));
        }
        return parse(yaml, file);
    }

    /** Checks {@code yaml} as if it were read from {@code pretendSource}, which names it in errors and anchors relative paths. */
    public static CutoverConfig parse(String yaml, Path pretendSource) throws ConfigException {
        Problems problems = new Problems(pretendSource.toString());
        YamlNode document = YamlTree.read(yaml, problems);
        if (document == null && problems.isEmpty()) {
            problems.add(1, "the file is empty; it needs at least proxy.listen, state_dir and services"
                    + " (see cutover.example.yml)");
        }
        MapReader root = document == null ? null : MapReader.root(document, problems);
        if (root == null) {
            problems.throwIfAny();
        }
        Path base = pretendSource.toAbsolutePath().normalize().getParent();
        Claims claims = new Claims(problems);

        ProxyConfig proxy = null;
        NginxSettings nginx = null;
        String traffic = root.text("traffic");
        if (traffic == null || traffic.equals("proxy")) {
            proxy = ProxySection.read(root, claims);
            if (root.has("nginx")) {
                problems.add(root.lineOf("nginx"), "nginx is read only with traffic: nginx; add traffic: nginx to"
                        + " drive your nginx instead of cutover's proxy, or remove the nginx section");
            }
        } else if (traffic.equals("nginx")) {
            nginx = NginxSection.read(root, base);
            if (root.has("proxy")) {
                // One switch per daemon: with nginx in front, the proxy's listener would serve nothing.
                problems.add(root.lineOf("proxy"), "proxy is not used with traffic: nginx (nginx serves the"
                        + " traffic; cutover rewrites its upstreams); remove the proxy section, or write traffic: proxy");
            }
        } else {
            problems.add(root.lineOf("traffic"), "traffic: \"" + traffic + "\" is not a traffic switch; write proxy"
                    + " (cutover's own, the default) or nginx (drive the nginx you keep in front)");
        }
        Path stateDir = null;
        if (root.require("state_dir", "where cutover keeps its database, releases and logs, e.g. state_dir:"
                + " ./cutover-state")) {
            String text = root.text("state_dir");
            stateDir = text == null ? null : base.resolve(text).normalize();
        }
        ControlConfig control = ControlSection.read(root, base, stateDir, claims);
        Map<String, ServiceSpec> services = services(root, base, claims);
        String dockerHost = dockerHost(root);
        if (nginx != null && nginx.accessLog() == null) {
            verifyNeedsAccessLog(root, services, problems);
        }
        root.finish();

        problems.throwIfAny();
        return new CutoverConfig(pretendSource, proxy, stateDir, control, services, nginx, dockerHost);
    }

    /** {@code docker: { host: unix:///var/run/docker.sock }}; null when absent (DOCKER_HOST or the default then). */
    private static String dockerHost(MapReader root) {
        MapReader docker = root.map("docker", "{ host: unix:///var/run/docker.sock }");
        if (docker == null) {
            return null;
        }
        String host = docker.text("host");
        if (host != null && !host.matches("unix:///.+|tcp://[^/\\s]+(:\\d+)?/?")) {
            docker.problem(docker.lineOf("host"), docker.where("host") + ": \"" + host + "\" is not a Docker engine address;"
                    + " write unix:///var/run/docker.sock or tcp://host:2375");
            host = null;
        }
        docker.finish();
        return host;
    }

    /** With nginx, a release's responses are known only from its access log: no log, nothing to verify with. */
    private static void verifyNeedsAccessLog(MapReader root, Map<String, ServiceSpec> services, Problems problems) {
        YamlNode node = root.node("services");
        for (ServiceSpec spec : services.values()) {
            if (!spec.verify().enabled()) {
                continue;
            }
            int line = node instanceof YamlNode.Mapping m && m.entries().get(spec.name()).value() instanceof YamlNode.Mapping s
                    && s.entries().get("verify") != null ? s.entries().get("verify").keyLine() : root.lineOf("services");
            problems.add(line, "services." + spec.name() + ".verify needs each release's responses, which with traffic:"
                    + " nginx cutover reads from nginx's access log: set nginx.access_log and log to it with "
                    + NginxSettings.LOG_FORMAT.replace(";", "") + " (see README), or write verify: off");
        }
    }

    private static Map<String, ServiceSpec> services(MapReader root, Path base, Claims claims) {
        Map<String, ServiceSpec> services = new LinkedHashMap<>();
        String example = "services: { web: { command: [...], ports: { blue: 8081, green: 8082 } } }";
        if (!root.require("services", "list what cutover deploys, e.g. " + example)) {
            return services;
        }
        MapReader map = root.map("services", "{ web: { command: [...], ports: { blue: 8081, green: 8082 } } }");
        if (map == null) {
            return services;
        }
        if (map.entries().isEmpty()) {
            map.problem(map.line(), "services is empty; add at least one service, e.g. " + example);
        }
        for (YamlNode.Entry entry : map.entries()) {
            ServiceSpec spec = ServiceSection.read(map, entry, base, claims);
            if (spec != null) {
                services.put(entry.key(), spec);
            }
        }
        return services;
    }
}
