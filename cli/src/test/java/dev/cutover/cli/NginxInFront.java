package dev.cutover.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import dev.cutover.engine.traffic.NginxSettings;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;

/**
 * A real nginx master of the test's own in front of a test daemon: {@code nginx -p DIR -c DIR/nginx.conf},
 * its pid file, error log, access log (cutover's format) and temp folders in DIR, listening on a free
 * 127.0.0.1 port with {@code keepalive_timeout 0} toward clients, proxying to {@code cutover_web} from
 * the upstream file the daemon writes into DIR/upstreams. Started only once that file exists; stopped
 * by its pid with SIGQUIT (graceful), never by name.
 */
final class NginxInFront implements AutoCloseable {

    static final String NGINX = "/usr/sbin/nginx";

    private final Path dir;
    private final Path conf;
    private final Path pidFile;
    private final Path errorLog;
    private final Path accessLog;
    private final Path upstreams;
    private final int port = DaemonConfigFile.freePort();
    private long masterPid;

    private NginxInFront(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir.toAbsolutePath());
        this.conf = this.dir.resolve("nginx.conf");
        this.pidFile = this.dir.resolve("nginx.pid");
        this.errorLog = this.dir.resolve("error.log");
        this.accessLog = this.dir.resolve("cutover-access.log");
        this.upstreams = Files.createDirectories(this.dir.resolve("upstreams"));
        Files.createDirectories(this.dir.resolve("temp"));
        Files.createDirectories(this.dir.resolve("logs")); // nginx -p opens PREFIX/logs/error.log before reading the config
        boolean root = "root".equals(System.getProperty("user.name"));
        Files.writeString(conf, """
                daemon on;
                %s
                worker_processes 2;
                pid %s;
                error_log %s notice;
                events { worker_connections 1024; }
                http {
                    access_log off;
                    client_body_temp_path %s/temp/body;
                    proxy_temp_path %s/temp/proxy;
                    fastcgi_temp_path %s/temp/fastcgi;
                    uwsgi_temp_path %s/temp/uwsgi;
                    scgi_temp_path %s/temp/scgi;
                    keepalive_timeout 0;
                    %s
                    include %s/cutover-web.upstream;
                    server {
                        listen 127.0.0.1:%d;
                        location / {
                            proxy_pass http://cutover_web;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            access_log %s cutover;
                        }
                    }
                }
                """.formatted(root ? "user root;" : "", pidFile, errorLog, this.dir, this.dir, this.dir, this.dir, this.dir,
                NginxSettings.LOG_FORMAT, upstreams, port, accessLog));
    }

    /** Writes nginx.conf; nginx starts with {@link #start()} once the daemon wrote the upstream file it includes. */
    static NginxInFront prepare(Path dir) throws IOException {
        return new NginxInFront(dir);
    }

    /** The {@code traffic: nginx} and {@code nginx:} part of a cutover.yml that drives this nginx. */
    String yaml() {
        return "traffic: nginx\n"
                + "nginx:\n"
                + "  binary: " + DaemonConfigFile.quote(NGINX) + "\n"
                + "  prefix: " + DaemonConfigFile.quote(dir.toString()) + "\n"
                + "  config: " + DaemonConfigFile.quote(conf.toString()) + "\n"
                + "  pid_file: " + DaemonConfigFile.quote(pidFile.toString()) + "\n"
                + "  upstream_dir: " + DaemonConfigFile.quote(upstreams.toString()) + "\n"
                + "  access_log: " + DaemonConfigFile.quote(accessLog.toString()) + "\n"
                + "  reload_timeout: 10s\n";
    }

    void start() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(NGINX, "-p", dir.toString(), "-c", conf.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("nginx did not start: " + out);
        }
        Eventually.await("nginx writes its pid file", Duration.ofSeconds(10), () -> Files.exists(pidFile));
        masterPid = Long.parseLong(Files.readString(pidFile).strip());
        Eventually.await("nginx runs its workers", Duration.ofSeconds(10),
                () -> ProcessHandle.of(masterPid).map(m -> m.children().count()).orElse(0L) >= 2);
    }

    /** Which version answers GET / through nginx right now (the sample app's X-Version header). */
    String servedVersion() throws IOException {
        try (RawHttp http = RawHttp.connect(port)) {
            RawHttp.Response response = http.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readResponse();
            if (response.status() != 200) {
                throw new AssertionError("GET / through nginx answered " + response.status() + "; nginx's error log:\n"
                        + errorLogText());
            }
            return response.header("x-version");
        }
    }

    Path upstreamFile() {
        return upstreams.resolve("cutover-web.upstream");
    }

    int port() {
        return port;
    }

    String errorLogText() {
        try {
            return Files.exists(errorLog) ? Files.readString(errorLog) : "";
        } catch (IOException e) {
            return "(cannot read " + errorLog + ": " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        ProcessHandle master = masterPid == 0 ? null : ProcessHandle.of(masterPid).orElse(null);
        if (master == null) {
            return;
        }
        new ProcessBuilder("kill", "-QUIT", Long.toString(masterPid)).start().waitFor(5, TimeUnit.SECONDS);
        try {
            Eventually.await("nginx (pid " + masterPid + ") exits after SIGQUIT", Duration.ofSeconds(15), () -> !master.isAlive());
        } catch (AssertionError e) {
            master.destroy(); // SIGTERM: nginx's fast shutdown
            throw e;
        }
    }
}
