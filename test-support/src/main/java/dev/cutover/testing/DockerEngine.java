package dev.cutover.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private Docker engine for one test class: its own dockerd on its own socket, data and exec
 * folders under a short temp path, no bridge and no iptables (releases use host networking), so it
 * touches nothing of the machine's own Docker. Stopped by its pid afterwards.
 * <p>
 * When dockerd is not installed, we are not root, or it does not come up (a CI container without
 * privileges), the test class is skipped with an assumption that says which.
 *
 * <pre>{@code @RegisterExtension static final DockerEngine DOCKER = new DockerEngine();}</pre>
 */
public final class DockerEngine implements BeforeAllCallback, AfterAllCallback {

    private static final List<Path> DOCKERD = List.of(Path.of("/usr/sbin/dockerd"), Path.of("/usr/bin/dockerd"),
            Path.of("/usr/local/bin/dockerd"));
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private Path dir;
    private Process dockerd;

    /** {@code unix:///tmp/cdXXXX/docker.sock}: what DockerRuntime is given as its host. */
    public String host() {
        return "unix://" + socket();
    }

    /** The folder of this engine's files; its log is {@code dockerd.log} in it. */
    public Path dir() {
        return dir;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path binary = DOCKERD.stream().filter(Files::isExecutable).findFirst().orElse(null);
        Assumptions.assumeTrue(binary != null, "docker tests skipped: dockerd is not installed (looked in " + DOCKERD
                + "); apt-get install docker.io");
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "docker tests skipped: they start a private dockerd, which needs root (running as "
                        + System.getProperty("user.name") + ")");
        // Unix socket paths must stay under 108 bytes: a short folder right under /tmp.
        dir = Files.createTempDirectory(Path.of("/tmp"), "cd");
        dockerd = new ProcessBuilder(binary.toString(), "--bridge", "none", "--iptables=false", "--ip6tables=false",
                "--data-root", dir.resolve("data").toString(), "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("pid").toString(), "-H", host(), "--log-level", "warn")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("dockerd.log").toFile())
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!answersPing()) {
            if (!dockerd.isAlive() || System.nanoTime() - deadline > 0) {
                String why = dockerd.isAlive() ? "no answer on its socket within " + START_TIMEOUT.toSeconds() + " s"
                        : "it exited with code " + dockerd.exitValue();
                String log = tail(dir.resolve("dockerd.log"));
                stop();
                Assumptions.abort("docker tests skipped: a private dockerd could not be started here (" + why
                        + "; a container without privileges cannot run one). Its log:\n" + log);
            }
            Thread.sleep(100);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
    }

    private Path socket() {
        return dir.resolve("docker.sock");
    }

    /** GET /_ping over the socket answers OK once the engine is ready. */
    private boolean answersPing() {
        if (!Files.exists(socket())) {
            return false;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket()));
            channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer answer = ByteBuffer.allocate(4096);
            while (channel.read(answer) >= 0 && answer.hasRemaining()) {
                // read to the end: HTTP/1.0, the engine closes after its answer
            }
            String text = new String(answer.array(), 0, answer.position(), StandardCharsets.US_ASCII);
            return text.startsWith("HTTP/1.") && text.contains(" 200 ") && text.endsWith("OK");
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM to our dockerd (it stops its containerd too), SIGKILL if it hangs; then its files go. */
    private void stop() throws InterruptedException {
        if (dockerd != null && dockerd.isAlive()) {
            dockerd.destroy();
            if (!dockerd.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                dockerd.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (dir != null) {
            unmountLeftovers();
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a mount left behind keeps some of it; /tmp is cleaned by the machine
            }
        }
    }

    /** dockerd leaves its network namespace file bind-mounted under exec-root; only mounts under our folder are touched. */
    private void unmountLeftovers() throws InterruptedException {
        List<String> ours;
        try {
            String prefix = dir.toRealPath() + "/";
            ours = Files.readAllLines(Path.of("/proc/mounts")).stream().map(line -> line.split(" ")[1])
                    .filter(mountPoint -> mountPoint.startsWith(prefix))
                    .sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            return;
        }
        for (String mountPoint : ours) {
            try {
                new ProcessBuilder("umount", mountPoint).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                return; // no umount here: the folder stays, /tmp is cleaned by the machine
            }
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
