package dev.cutover.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.traffic.NginxSettings;

/** {@code traffic: nginx} and its {@code nginx:} section: read with defaults, or refused with exact sentences. */
class NginxConfigTest {

    @TempDir
    Path dir;

    /** Line 1 traffic, 2 nginx:, 3 upstream_dir, 4 state_dir, 5 services, 6 web, 7 command, 8 ports. */
    private String base() {
        return """
                traffic: nginx
                nginx:
                  upstream_dir: %s
                state_dir: ./state
                services:
                  web:
                    command: ["run", "${PORT}"]
                    ports: { blue: 8081, green: 8082 }
                """.formatted(dir);
    }

    private CutoverConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, dir.resolve("cutover.yml"));
    }

    private String refusal(String yaml) {
        try {
            parse(yaml);
        } catch (ConfigException e) {
            return e.getMessage().replace(dir.resolve("cutover.yml").toString(), "cutover.yml");
        }
        return fail("expected the config to be refused:\n" + yaml);
    }

    @Test
    void nginxTrafficNeedsNoProxySectionAndFillsTheDefaults() throws Exception {
        CutoverConfig config = parse(base());

        assertThat(config.proxy()).isNull();
        NginxSettings nginx = config.nginx();
        assertThat(nginx.upstreamDir()).isEqualTo(dir);
        assertThat(nginx.binary()).isEqualTo("nginx");
        assertThat(nginx.pidFile()).isEqualTo(Path.of("/run/nginx.pid"));
        assertThat(nginx.config()).isNull();
        assertThat(nginx.reloadCommand()).isEmpty();
        assertThat(nginx.reloadTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(nginx.accessLog()).isNull();
        assertThat(nginx.keepalive()).isEqualTo(32);
    }

    @Test
    void everyNginxKeyIsReadAndRelativePathsResolveAgainstTheConfigFolder() throws Exception {
        CutoverConfig config = parse(base().replace("  upstream_dir:", "  binary: /usr/sbin/nginx\n"
                + "  config: /etc/nginx/nginx.conf\n  prefix: /etc/nginx\n  pid_file: /var/run/nginx.pid\n"
                + "  reload_command: [systemctl, reload, nginx]\n  reload_timeout: 3s\n"
                + "  access_log: logs/cutover.log\n  keepalive: 0\n  upstream_dir:"));

        assertThat(config.nginx()).isEqualTo(new NginxSettings("/usr/sbin/nginx", Path.of("/etc/nginx"),
                Path.of("/etc/nginx/nginx.conf"), Path.of("/var/run/nginx.pid"), List.of("systemctl", "reload", "nginx"),
                dir, Duration.ofSeconds(3), dir.resolve("logs/cutover.log"), 0));
    }

    @Test
    void nginxTrafficWithoutItsSectionSaysWhatToAdd() {
        assertThat(refusal("traffic: nginx\n" + base().lines().skip(3).map(l -> l + "\n").reduce("", String::concat)))
                .isEqualTo("cutover.yml:1: nginx is required; with traffic: nginx, say where cutover writes its upstream"
                        + " files, e.g. nginx: { upstream_dir: /etc/nginx/conf.d }");
    }

    @Test
    void proxySectionWithNginxTrafficIsRefusedAsUnused() {
        assertThat(refusal(base() + "proxy:\n  listen: 127.0.0.1:8080\n"))
                .isEqualTo("cutover.yml:9: proxy is not used with traffic: nginx (nginx serves the traffic; cutover"
                        + " rewrites its upstreams); remove the proxy section, or write traffic: proxy");
    }

    @Test
    void nginxSectionWithoutNginxTrafficIsRefused() {
        assertThat(refusal(base().replace("traffic: nginx\n", "proxy: { listen: 127.0.0.1:8080 }\n")))
                .isEqualTo("cutover.yml:2: nginx is read only with traffic: nginx; add traffic: nginx to drive your"
                        + " nginx instead of cutover's proxy, or remove the nginx section");
    }

    @Test
    void unknownTrafficSwitchNamesTheTwoThereAre() {
        assertThat(refusal(base().replace("traffic: nginx", "traffic: haproxy")))
                .startsWith("cutover.yml:1: traffic: \"haproxy\" is not a traffic switch; write proxy (cutover's own,"
                        + " the default) or nginx (drive the nginx you keep in front)");
    }

    @Test
    void verifyWithoutAnAccessLogIsRefusedBecauseNothingCountsResponses() {
        assertThat(refusal(base() + "    verify: on\n"))
                .isEqualTo("cutover.yml:9: services.web.verify needs each release's responses, which with traffic:"
                        + " nginx cutover reads from nginx's access log: set nginx.access_log and log to it with"
                        + " log_format cutover '$status $upstream_addr' (see README), or write verify: off");
    }

    @Test
    void verifyWithAnAccessLogIsAccepted() throws Exception {
        String yaml = base().replace("  upstream_dir:", "  access_log: /var/log/nginx/cutover.log\n  upstream_dir:")
                + "    verify: on\n";
        assertThat(parse(yaml).services().get("web").verify().enabled()).isTrue();
        assertThat(parse(yaml).nginx().accessLog()).isEqualTo(Path.of("/var/log/nginx/cutover.log"));
    }

    @Test
    void upstreamDirThatIsNotAFolderIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "");
        assertThat(refusal(base().replace("upstream_dir: " + dir, "upstream_dir: " + file)))
                .isEqualTo("cutover.yml:3: nginx.upstream_dir: " + file + " is not a folder; create it, or name the"
                        + " folder your nginx.conf includes cutover's upstream files from");
    }

    @Test
    void typoInAnNginxKeySuggestsTheKnownOne() {
        assertThat(refusal(base().replace("  upstream_dir:", "  relaod_timeout: 5s\n  upstream_dir:")))
                .isEqualTo("cutover.yml:3: nginx.relaod_timeout is not a known key; did you mean reload_timeout?");
    }

    @Test
    void emptyReloadCommandIsRefused() {
        assertThat(refusal(base().replace("  upstream_dir:", "  reload_command: []\n  upstream_dir:")))
                .isEqualTo("cutover.yml:3: nginx.reload_command is empty; write the command that reloads nginx, e.g."
                        + " [systemctl, reload, nginx], or leave it out for nginx -s reload");
    }
}
