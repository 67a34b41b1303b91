package dev.cutover.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.command.BuildImageResultCallback;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/**
 * Test images with no registry: {@code FROM scratch} plus a static busybox, {@code /www/health} and
 * {@code /www/index.html} (the version, so a response proves which image served it). The image has
 * no command of its own: {@link #COMMAND} goes in cutover.yml, so the service's command is proven too.
 * (Built, not imported: the private dockerd refused docker-java's import of such a tar with "unexpected EOF".)
 */
final class BusyboxWebImage {

    static final String REPOSITORY = "cutover-test/web";
    /** busybox httpd on the slot's port, under a shell that exits 0 on SIGTERM (PID 1 has no default handler). */
    static final List<String> COMMAND = List.of("/bin/busybox", "sh", "-c",
            "trap 'exit 0' TERM; /bin/busybox httpd -f -p 127.0.0.1:${PORT} -h /www & wait");
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    private BusyboxWebImage() {
    }

    static String ref(String version) {
        return REPOSITORY + ":" + version;
    }

    static DockerClient client(String host) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(host)).build());
    }

    /** Builds {@code cutover-test/web:<version>} for each version in the engine at {@code host}. */
    static void buildIn(String host, String... versions) throws IOException {
        byte[] busybox = Files.isExecutable(BUSYBOX) ? Files.readAllBytes(BUSYBOX) : new byte[0];
        // A dynamically linked busybox would find no libc in an image that holds nothing else.
        String text = new String(busybox, StandardCharsets.ISO_8859_1);
        Assumptions.assumeTrue(busybox.length > 0 && !text.contains("/lib64/ld-linux") && !text.contains("/lib/ld-linux"),
                "docker tests skipped: the test images need a static busybox at /bin/busybox (apt-get install busybox-static)");
        try (DockerClient docker = client(host)) {
            for (String version : versions) {
                try (BuildImageResultCallback built = docker.buildImageCmd().withTarInputStream(context(busybox, version))
                        .withTags(Set.of(ref(version))).exec(new BuildImageResultCallback())) {
                    built.awaitImageId(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static ByteArrayInputStream context(byte[] busybox, String version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            file(tar, "Dockerfile", "FROM scratch\nCOPY bin /bin\nCOPY www /www\n".getBytes(StandardCharsets.UTF_8), 0644);
            file(tar, "bin/busybox", busybox, 0755);
            file(tar, "www/health", "ok\n".getBytes(StandardCharsets.UTF_8), 0644);
            file(tar, "www/index.html", (version + "\n").getBytes(StandardCharsets.UTF_8), 0644);
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(mode);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
