package dev.cutover.engine.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.cutover.engine.Slot;

/**
 * Releases for tests: small {@code sh -c} scripts, and the sample app as a real JVM started from
 * this test JVM's own java binary and classpath (sample-app is a test dependency of the engine),
 * so no jar has to be built first.
 */
public final class TestLaunches {

    private TestLaunches() {
    }

    /** {@code sh -c script} as service "web", version v1, slot blue. */
    public static LaunchSpec shell(Path dir, String script) {
        return new LaunchSpec("web", "v1", Slot.BLUE, 0, List.of("sh", "-c", script), Map.of(), dir, dir);
    }

    /** {@code java -cp <test classpath> dev.cutover.sample.SampleApp --port port --version version [flags]}. */
    public static LaunchSpec sampleApp(Path dir, int port, String version, String... flags) {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"),
                "dev.cutover.sample.SampleApp", "--port", Integer.toString(port), "--version", version));
        command.addAll(List.of(flags));
        return new LaunchSpec("web", version, Slot.GREEN, port, command, Map.of(), dir, dir);
    }

    /** A port nobody listens on right now (bound and released; tests run side by side, so never a fixed one). */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return ((InetSocketAddress) socket.getLocalSocketAddress()).getPort();
        } catch (IOException e) {
            throw new IllegalStateException("cannot find a free port", e);
        }
    }
}
