package dev.cutover.engine.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.Slot;
import dev.cutover.sample.SampleOptions;
import dev.cutover.sample.SampleServer;
import dev.cutover.testing.Eventually;
import dev.cutover.testing.RawHttp;

/** The nginx driver against a real nginx master and two real sample-app servers, one per slot. */
class NginxSwitchTest {

    @TempDir
    Path dir;

    private NginxFixture nginx;
    private SampleServer v1;
    private SampleServer v2;
    private ServiceSpec spec;

    @BeforeEach
    void setUp() throws Exception {
        nginx = NginxFixture.prepare(dir.resolve("nginx"));
        v1 = SampleServer.start(SampleOptions.of(NginxFixture.freePort(), "v1").withErrorRatio(0.25));
        v2 = SampleServer.start(SampleOptions.of(NginxFixture.freePort(), "v2"));
        spec = ServiceSpec.process("web", List.of("unused"), v1.port(), v2.port());
    }

    @AfterEach
    void tearDown() throws Exception {
        nginx.close();
        v1.close();
        v2.close();
    }

    private NginxSwitch started(NginxSettings settings) throws Exception {
        NginxSwitch sw = new NginxSwitch(settings);
        sw.register(spec); // writes the placeholder nginx.conf includes
        nginx.start();
        return sw;
    }

    @Test
    void routeReturnsOnceNewWorkersRunAndTheUpstreamFileRoutesTheNewSlot() throws Exception {
        NginxSwitch sw = started(nginx.settings());
        assertThat(sw.activeSlot("web")).as("a placeholder routes nowhere").isNull();
        sw.route("web", Slot.BLUE, "v1", local(v1.port()));
        assertThat(get("/")).isEqualTo("v1");

        List<ProcessHandle> before = nginx.workers();
        sw.route("web", Slot.GREEN, "v2", local(v2.port()));
        assertThat(nginx.workers()).as("new workers run when route returns").anyMatch(w -> !before.contains(w));
        assertThat(sw.activeSlot("web")).isEqualTo(Slot.GREEN);
        assertThat(Files.readString(nginx.upstreams.resolve("cutover-web.upstream")))
                .contains("upstream cutover_web {").contains("server 127.0.0.1:" + v2.port() + ";").contains("keepalive 32;");
        Eventually.await("old workers exit", Duration.ofSeconds(10), () -> before.stream().noneMatch(ProcessHandle::isAlive));
        assertThat(get("/")).isEqualTo("v2");
    }

    @Test
    void drainCompletesJustAfterTheOldWorkersExitedAndNotBefore() throws Exception {
        NginxSwitch sw = started(nginx.settings());
        sw.route("web", Slot.BLUE, "v1", local(v1.port()));
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> uncheckedGet("/slow?ms=1500"));
        Eventually.await("the slow request reaches v1", Duration.ofSeconds(5), () -> v1.inFlight() == 1);
        List<ProcessHandle> old = nginx.workers();

        sw.route("web", Slot.GREEN, "v2", local(v2.port()));
        CompletableFuture<DrainOutcome> drain = sw.drain("web", Slot.BLUE, Duration.ofSeconds(10));
        long[] lastExit = new long[1];
        Eventually.await("the old workers exit", Duration.ofSeconds(10), () -> {
            boolean gone = old.stream().noneMatch(ProcessHandle::isAlive);
            if (!gone) {
                assertThat(drain).as("drain done while an old worker runs").isNotDone();
            }
            lastExit[0] = System.nanoTime();
            return gone;
        });
        DrainOutcome outcome = drain.get(10, TimeUnit.SECONDS);
        long lateMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastExit[0]);

        assertThat(slow.get(5, TimeUnit.SECONDS)).as("the slow request finished on the old version").isEqualTo("v1");
        assertThat(outcome.clean()).isTrue();
        assertThat(outcome.took()).isGreaterThan(Duration.ofMillis(1000));
        assertThat(lateMs).as("drain completed soon after the last old worker exited").isLessThan(500);
    }

    @Test
    void drainTimeoutNamesTheOldWorkersThatStillRun() throws Exception {
        NginxSwitch sw = started(nginx.settings());
        sw.route("web", Slot.BLUE, "v1", local(v1.port()));
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> uncheckedGet("/slow?ms=3000"));
        Eventually.await("the slow request reaches v1", Duration.ofSeconds(5), () -> v1.inFlight() == 1);
        List<ProcessHandle> old = nginx.workers();

        sw.route("web", Slot.GREEN, "v2", local(v2.port()));
        DrainOutcome outcome = sw.drain("web", Slot.BLUE, Duration.ofMillis(500)).get(5, TimeUnit.SECONDS);

        assertThat(outcome.clean()).isFalse();
        List<ProcessHandle> running = old.stream().filter(ProcessHandle::isAlive).toList();
        assertThat(running).isNotEmpty();
        assertThat(outcome.note()).startsWith("nginx workers from before the reload still run after 0 s (pids ")
                .contains(Long.toString(running.get(0).pid())).contains("worker_shutdown_timeout");
        assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("v1");
    }

    @Test
    void failingNginxTestRefusesTheRouteQuotesNginxAndKeepsTheOldUpstream() throws Exception {
        NginxSwitch sw = started(nginx.settings());
        sw.route("web", Slot.BLUE, "v1", local(v1.port()));
        Path file = nginx.upstreams.resolve("cutover-web.upstream");
        String routedToV1 = Files.readString(file);
        List<ProcessHandle> workers = nginx.workers();
        nginx.addToHttpBlock("proxy_buffering maybe;");

        assertThatThrownBy(() -> sw.route("web", Slot.GREEN, "v2", local(v2.port())))
                .isInstanceOf(TrafficSwitchException.class)
                .hasMessageStartingWith("nginx refused the configuration with web routed to v2 (" + file + "): '"
                        + NginxFixture.NGINX + " -p " + nginx.dir + " -c " + nginx.conf + " -t' exited with 1:\n  ")
                .hasMessageContaining("invalid value \"maybe\" in \"proxy_buffering\" directive")
                .hasMessageEndingWith("the upstream file was put back and nginx was not reloaded, so 127.0.0.1:"
                        + v1.port() + " keeps serving; fix nginx.conf and deploy again");
        assertThat(Files.readString(file)).isEqualTo(routedToV1);
        assertThat(nginx.workers()).as("no reload happened").containsExactlyInAnyOrderElementsOf(workers);
        assertThat(sw.activeSlot("web")).isEqualTo(Slot.BLUE);
        assertThat(get("/")).isEqualTo("v1");
    }

    @Test
    void reloadThatNeverTakesEffectIsRefusedAtTheBoundAndTheOldUpstreamIsPutBack() throws Exception {
        NginxSwitch sw = started(nginx.settings().withReloadCommand(List.of("true")).withReloadTimeout(Duration.ofSeconds(1)));
        Path file = nginx.upstreams.resolve("cutover-web.upstream");
        String placeholder = Files.readString(file);
        long start = System.nanoTime();

        assertThatThrownBy(() -> sw.route("web", Slot.BLUE, "v1", local(v1.port())))
                .isInstanceOf(TrafficSwitchException.class)
                .hasMessage("nginx (master pid " + nginx.masterPid() + ") did not replace its workers within 1000 ms of the"
                        + " reload, so the new upstream did not take effect (a master that cannot apply a configuration"
                        + " keeps the old one and says why in its error log); the upstream file " + file
                        + " was put back and no release keeps serving");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(Files.readString(file)).isEqualTo(placeholder);
    }

    @Test
    void nginxNotRunningIsRefusedNamingThePidFile() throws Exception {
        NginxSwitch sw = new NginxSwitch(nginx.settings());
        sw.register(spec);

        assertThatThrownBy(() -> sw.route("web", Slot.BLUE, "v1", local(v1.port())))
                .hasMessage("nginx is not running: its pid file " + nginx.pidFile + " does not exist; start nginx"
                        + " (systemctl start nginx), or set nginx.pid_file in cutover.yml to the pid directive of your"
                        + " nginx.conf");
    }

    @Test
    void nginxNotInstalledIsRefusedWithWhatToDo() throws Exception {
        NginxSwitch sw = started(nginx.settings().withInstance("/nonexistent/nginx", nginx.dir, nginx.conf, nginx.pidFile));
        Path file = nginx.upstreams.resolve("cutover-web.upstream");
        String placeholder = Files.readString(file);

        assertThatThrownBy(() -> sw.route("web", Slot.BLUE, "v1", local(v1.port())))
                .hasMessageStartingWith("cannot run /nonexistent/nginx (")
                .hasMessageEndingWith("): is nginx installed? Install it (apt-get install nginx) or set nginx.binary in"
                        + " cutover.yml to its path (e.g. /usr/sbin/nginx)");
        assertThat(Files.readString(file)).isEqualTo(placeholder);
    }

    @Test
    void upstreamFolderThatCannotBeWrittenIsRefusedNamingIt() throws Exception {
        started(nginx.settings());
        NginxSettings s = nginx.settings();
        Path missing = dir.resolve("no-such-folder");
        NginxSwitch sw = new NginxSwitch(new NginxSettings(s.binary(), s.prefix(), s.config(), s.pidFile(),
                s.reloadCommand(), missing, s.reloadTimeout(), s.accessLog(), s.keepalive()));
        sw.register(spec);

        assertThatThrownBy(() -> sw.route("web", Slot.BLUE, "v1", local(v1.port())))
                .hasMessage("cannot write nginx's upstream file for service web in " + missing + " (the folder does not"
                        + " exist): create the folder and let the user cutover runs as (" + System.getProperty("user.name")
                        + ") write to it, or set nginx.upstream_dir in cutover.yml to a folder it can write");
    }

    @Test
    void countersCountEachSlotsResponsesAndErrorsFromTheAccessLogSinceItWasRouted() throws Exception {
        NginxSwitch sw = started(nginx.settings());
        sw.route("web", Slot.BLUE, "v1", local(v1.port()));
        for (int i = 0; i < 8; i++) {
            get("/");
        }
        Eventually.await("8 responses of blue counted", Duration.ofSeconds(5), () -> sw.counters("web", Slot.BLUE),
                c -> c.responses() == 8);
        assertThat(sw.counters("web", Slot.BLUE).responses5xx()).as("v1 fails 1 in 4").isEqualTo(2);
        assertThat(sw.counters("web", Slot.GREEN)).isEqualTo(SlotCounters.ZERO);

        sw.route("web", Slot.GREEN, "v2", local(v2.port()));
        Eventually.await("new workers serve", Duration.ofSeconds(5), () -> "v2".equals(uncheckedGet("/")));
        for (int i = 0; i < 4; i++) {
            get("/");
        }
        Eventually.await("green counted", Duration.ofSeconds(5), () -> sw.counters("web", Slot.GREEN),
                c -> c.responses() >= 5);
        assertThat(sw.counters("web", Slot.GREEN).responses5xx()).isZero();

        sw.route("web", Slot.BLUE, "v1", local(v1.port()));
        assertThat(sw.counters("web", Slot.BLUE)).as("routed again: from zero").isEqualTo(SlotCounters.ZERO);
    }

    private String get(String path) throws IOException {
        try (RawHttp client = RawHttp.connect(nginx.port)) {
            return client.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readResponse()
                    .header("x-version");
        }
    }

    private String uncheckedGet(String path) {
        try {
            return get(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static InetSocketAddress local(int port) {
        return new InetSocketAddress("127.0.0.1", port);
    }
}
