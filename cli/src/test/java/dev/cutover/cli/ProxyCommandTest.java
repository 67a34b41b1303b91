package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.cutover.cli.CutoverCommandTest.Run;
import dev.cutover.sample.SampleOptions;
import dev.cutover.sample.SampleServer;
import dev.cutover.testing.Eventually;

class ProxyCommandTest {

    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void forwardsRequestsToItsBackendUntilStoppedThenExitsZero() throws Exception {
        try (SampleServer app = SampleServer.start(SampleOptions.of(0, "v9"))) {
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final AtomicInteger exitCode = new AtomicInteger(-1);
            final Thread proxy = new Thread(() -> exitCode.set(Cutover.run(new PrintWriter(out), new PrintWriter(err),
                    "proxy", "--listen", "127.0.0.1:0", "--to", "127.0.0.1:" + app.port(), "--io-threads", "1")),
                    "proxy-command");
            proxy.start();
            try {
                final String started = Eventually.await("the proxy says where it listens", Duration.ofSeconds(20),
                        out::toString, text -> LISTENING.matcher(text).find() || !proxy.isAlive());
                final Matcher listening = LISTENING.matcher(started);
                assertThat(listening.find()).as("out: %s, err: %s", started, err).isTrue();

                final HttpResponse<String> response;
                try (HttpClient client = HttpClient.newHttpClient()) {
                    response = client.send(HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + listening.group(1) + "/")).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                }
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("X-Version")).hasValue("v9");
            } finally {
                proxy.interrupt();
                proxy.join(Duration.ofSeconds(40));
            }
            assertThat(proxy.isAlive()).isFalse();
            assertThat(exitCode.get()).isEqualTo(ExitCode.OK);
            assertThat(out.toString()).contains("stopped after 1 requests");
        }
    }

    @Test
    void aTakenListenPortExitsTwoWithTheProxysExplanation() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            final Run run = Run.of("proxy", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--to", "127.0.0.1:9");

            assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
            assertThat(run.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()).contains("already in use");
            assertThat(run.out()).isEmpty();
        }
    }

    @Test
    void anAddressThatIsNotHostAndPortIsAUsageError() {
        final Run run = Run.of("proxy", "--to", "localhost:http");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).containsExactly(
                "cutover proxy: Invalid value for option '--to': 'localhost:http' is not HOST:PORT (like 127.0.0.1:8080, or just 8080);"
                        + " the port must be 0 to 65535",
                "try 'cutover proxy --help'");
    }

    @Test
    void theBackendIsRequired() {
        final Run run = Run.of("proxy", "--listen", "127.0.0.1:0");

        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines().get(0)).isEqualTo("cutover proxy: Missing required option: '--to=HOST:PORT'");
    }
}
