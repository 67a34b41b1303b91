package dev.cutover.engine.docker;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Test images made here, with no registry: {@code FROM scratch} plus a static busybox. Each
 * version is its own image; it serves {@code /health}, {@code /index.html} (its version) and
 * {@code /cgi-bin/version}, which answers with an {@code X-Version} header baked into the image, so
 * a response proves which image served it. Its command is busybox httpd on {@code 127.0.0.1:$PORT},
 * under a shell that exits 0 on SIGTERM (PID 1 in a container ignores signals it has no handler for).
 */
final class DockerTestImages {

    static final String REPOSITORY = "cutover-test/web";
    static final Path BUSYBOX = Path.of("/bin/busybox");

    private DockerTestImages() {
    }

    static String ref(String version) {
        return REPOSITORY + ":" + version;
    }

    /** Builds {@code cutover-test/web:<version>} for each version in the engine at {@code host}. */
    static void build(String host, String... versions) throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(BUSYBOX) && isStatic(BUSYBOX),
                "docker tests skipped: the test images need a static busybox at /bin/busybox (apt-get install busybox-static)");
        try (DockerClient docker = client(host)) {
            for (String version : versions) {
                try (BuildImageResultCallback built = docker.buildImageCmd().withTarInputStream(context(version))
                        .withTags(Set.of(ref(version))).exec(new BuildImageResultCallback())) {
                    built.awaitImageId(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    static DockerClient client(String host) {
        var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        return DockerClientImpl.getInstance(config, new ZerodepDockerHttpClient.Builder().dockerHost(URI.create(host)).build());
    }

    private static ByteArrayInputStream context(String version) throws IOException {
        String body = version + "\n";
        String cgi = "#!/bin/busybox sh\nprintf 'Content-Type: text/plain\\r\\nContent-Length: " + body.length()
                + "\\r\\nX-Version: " + version + "\\r\\n\\r\\n" + version + "\\n'\n";
        String dockerfile = """
                FROM scratch
                COPY bin /bin
                COPY www /www
                CMD ["/bin/busybox", "sh", "-c", "trap 'exit 0' TERM; /bin/busybox httpd -f -p 127.0.0.1:$PORT -h /www & wait"]
                """;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            add(tar, "Dockerfile", dockerfile.getBytes(StandardCharsets.UTF_8), 0644);
            add(tar, "bin/busybox", Files.readAllBytes(BUSYBOX), 0755);
            add(tar, "www/index.html", body.getBytes(StandardCharsets.UTF_8), 0644);
            add(tar, "www/health", "ok\n".getBytes(StandardCharsets.UTF_8), 0644);
            add(tar, "www/cgi-bin/version", cgi.getBytes(StandardCharsets.UTF_8), 0755);
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }

    private static void add(TarArchiveOutputStream tar, String name, byte[] content, int mode) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        entry.setMode(mode);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    /** A dynamically linked busybox would find no libc in a scratch image. */
    private static boolean isStatic(Path binary) throws IOException {
        byte[] elf = Files.readAllBytes(binary);
        String text = new String(elf, StandardCharsets.ISO_8859_1);
        return !text.contains("/lib64/ld-linux") && !text.contains("/lib/ld-linux");
    }
}
