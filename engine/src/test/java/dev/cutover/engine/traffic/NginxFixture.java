package dev.cutover.engine.traffic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.cutover.testing.Eventually;

/**
 * A real nginx master of the test's own: {@code nginx -p DIR -c DIR/nginx.conf}, daemonized, its pid
 * file, error log and temp folders in DIR, listening on a free 127.0.0.1 port, proxying every request
 * to the upstream {@code cutover_web} that cutover writes into DIR/upstreams. Stopped by its pid with
 * SIGQUIT (graceful), as an operator would.
 */
public final class NginxFixture implements AutoCloseable {

    public static final String NGINX = "/usr/sbin/nginx";

    public final Path dir;
    public final Path conf;
    public final Path pidFile;
    public final Path errorLog;
    public final Path accessLog;
    public final Path upstreams;
    public final int port;
    private long masterPid;

    private NginxFixture(Path dir, int clientKeepaliveSeconds) throws IOException {
        this.dir = Files.createDirectories(dir.toAbsolutePath());
        this.conf = dir.resolve("nginx.conf");
        this.pidFile = dir.resolve("nginx.pid");
        this.errorLog = dir.resolve("error.log");
        this.accessLog = dir.resolve("cutover-access.log");
        this.upstreams = Files.createDirectories(dir.resolve("upstreams"));
        Files.createDirectories(dir.resolve("temp"));
        Files.createDirectories(dir.resolve("logs")); // nginx -p opens PREFIX/logs/error.log before reading the config
        this.port = freePort();
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
                    client_body_buffer_size 1m;
                    client_max_body_size 16m;
                    keepalive_timeout %d;
                    %s
                    include %s/cutover-web.upstream;
                    server {
                        listen 127.0.0.1:%d;
                        location / {
                            proxy_pass http://cutover_web;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_read_timeout 60s;
                            access_log %s cutover;
                        }
                    }
                    # extra
                }
                """.formatted(root ? "user root;" : "", pidFile, errorLog, dir, dir, dir, dir, dir,
                clientKeepaliveSeconds, NginxSettings.LOG_FORMAT, upstreams, port, accessLog));
    }

    /** Writes nginx.conf; nginx starts with {@link #start()} once cutover wrote the upstream file it includes. */
    public static NginxFixture prepare(Path dir) throws IOException {
        return new NginxFixture(dir, 0);
    }

    public static NginxFixture prepare(Path dir, int clientKeepaliveSeconds) throws IOException {
        return new NginxFixture(dir, clientKeepaliveSeconds);
    }

    /** How cutover should drive this nginx. */
    public NginxSettings settings() {
        return NginxSettings.defaults(upstreams).withInstance(NGINX, dir, conf, pidFile).withAccessLog(accessLog)
                .withReloadTimeout(Duration.ofSeconds(10));
    }

    public NginxFixture start() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(NGINX, "-p", dir.toString(), "-c", conf.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("nginx did not start: " + out);
        }
        Eventually.await("nginx writes its pid file", Duration.ofSeconds(10), () -> Files.exists(pidFile));
        masterPid = Long.parseLong(Files.readString(pidFile).strip());
        Eventually.await("nginx runs its workers", Duration.ofSeconds(10), () -> workers().size() >= 2);
        return this;
    }

    public long masterPid() {
        return masterPid;
    }

    public List<ProcessHandle> workers() {
        return ProcessHandle.of(masterPid).map(m -> m.children().toList()).orElse(List.of());
    }

    /** Adds text inside the http block of nginx.conf, as an operator editing it would. */
    public void addToHttpBlock(String text) throws IOException {
        Files.writeString(conf, Files.readString(conf).replace("# extra", text + "\n    # extra"));
    }

    public String errorLogText() throws IOException {
        return Files.exists(errorLog) ? Files.readString(errorLog) : "";
    }

    @Override
    public void close() throws Exception {
        if (masterPid == 0) {
            return;
        }
        ProcessHandle master = ProcessHandle.of(masterPid).orElse(null);
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

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
