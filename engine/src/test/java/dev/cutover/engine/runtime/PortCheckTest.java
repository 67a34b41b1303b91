package dev.cutover.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.testing.Eventually;

/** Real listeners: in this JVM on each loopback flavour, and a sample app in its own process. */
class PortCheckTest {

    @TempDir
    Path dir;

    @Test
    void portNobodyListensOnIsFree() {
        final int port = TestLaunches.freePort();
        assertThat(PortCheck.isFree(port)).isTrue();
        assertThat(PortCheck.listener(port)).isEmpty();
    }

    @Test
    void listenerOnIpv4LoopbackTakesThePort() throws IOException {
        assertTakenWhileListening("127.0.0.1");
    }

    @Test
    void listenerOnTheIpv4WildcardTakesThePort() throws IOException {
        assertTakenWhileListening("0.0.0.0");
    }

    @Test
    void listenerOnIpv6LoopbackTakesThePort() throws IOException {
        assertTakenWhileListening("::1");
    }

    @Test
    void portTakenByAForeignProcessNamesItsPid() throws Exception {
        final int port = TestLaunches.freePort();
        try (ProcessRuntime runtime = new ProcessRuntime()) {
            final RunningApp app = runtime.start(TestLaunches.sampleApp(dir, port, "v1"));
            try {
                final ProcessHandle holder = Eventually.await("a listener on port " + port, Duration.ofSeconds(30),
                        () -> PortCheck.listener(port), found -> found.isPresent() || !runtime.isAlive(app)).orElseThrow(
                                () -> new AssertionError("the sample app died: " + runtime.logTail(app, 20)));
                assertThat(holder.pid()).isEqualTo(app.pid());
                assertThat(PortCheck.isFree(port)).isFalse();
                assertThat(PortCheck.describe(holder))
                        .startsWith("pid " + app.pid() + ": ")
                        .contains("java")
                        .endsWith("...");
            } finally {
                runtime.stop(app, Duration.ofSeconds(10));
            }
            assertThat(PortCheck.isFree(port)).as("free again once the app stopped").isTrue();
        }
    }

    private static void assertTakenWhileListening(String host) throws IOException {
        final int port;
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            port = listener.getLocalPort();
            assertThat(PortCheck.isFree(port)).as("port " + port + " while listening on " + host).isFalse();
            assertThat(PortCheck.listener(port)).map(ProcessHandle::pid).contains(ProcessHandle.current().pid());
        }
        assertThat(PortCheck.isFree(port)).as("port " + port + " after closing").isTrue();
    }
}
