package dev.cutover.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/**
 * Test images with no registry and no build: {@code docker import} of a tar holding a static
 * busybox, {@code /www/health} and {@code /www/index.html} (the version, so a response proves which
 * image served it). An imported image has no command; {@link #COMMAND} goes in cutover.yml.
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

    /** Imports {@code cutover-test/web:<version>} for each version into the engine at {@code host}. */
    static void importInto(String host, String... versions) throws IOException {
        byte[] busybox = Files.isExecutable(BUSYBOX) ? Files.readAllBytes(BUSYBOX) : new byte[0];
        // A dynamically linked busybox would find no libc in an image that holds nothing else.
        String text = new String(busybox, StandardCharsets.ISO_8859_1);
        Assumptions.assumeTrue(busybox.length > 0 && !text.contains("/lib64/ld-linux") && !text.contains("/lib/ld-linux"),
                "docker tests skipped: the test images need a static busybox at /bin/busybox (apt-get install busybox-static)");
        try (DockerClient docker = client(host)) {
            for (String version : versions) {
                docker.createImageCmd(REPOSITORY, new ByteArrayInputStream(rootfs(busybox, version))).withTag(version).exec();
            }
        }
    }

    private static byte[] rootfs(byte[] busybox, String version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            directory(tar, "bin/");
            file(tar, "bin/busybox", busybox, 0755);
            directory(tar, "www/");
            file(tar, "www/health", "ok\n".getBytes(StandardCharsets.UTF_8), 0644);
            file(tar, "www/index.html", (version + "\n").getBytes(StandardCharsets.UTF_8), 0644);
        }
        return bytes.toByteArray();
    }

    private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(040755);
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
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
