package dev.cutover.engine.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ArtifactStoreTest {

    @TempDir
    Path tmp;

    private Path root;
    private ArtifactStore artifacts;

    @BeforeEach
    void setUp() {
        root = tmp.resolve("state").resolve("artifacts");
        artifacts = new ArtifactStore(root);
    }

    private Path build(String name, String contents) throws IOException {
        final Path file = tmp.resolve("ci-workspace").resolve(name);
        Files.createDirectories(file.getParent());
        return Files.writeString(file, contents);
    }

    // ---- retain ----------------------------------------------------------------------------

    @Test
    void retainCopiesTheFileIntoServiceVersionFolderUnderItsOwnName() throws IOException {
        final Path jar = build("web-2.0.jar", "the bytes of web 2.0");
        final Path retained = artifacts.retain("web", "2.0", jar);

        assertThat(retained).isEqualTo(root.resolve("web").resolve("2.0").resolve("web-2.0.jar"));
        assertThat(retained).hasContent("the bytes of web 2.0");
        assertThat(jar).as("the source is copied, not moved").exists();
        // The copy no longer depends on the CI workspace.
        Files.writeString(jar, "overwritten by the next build");
        assertThat(retained).hasContent("the bytes of web 2.0");
    }

    @Test
    void retainingTheSameFileAgainReturnsTheSamePathAndLeavesNoTemporaryFiles() throws IOException {
        final Path jar = build("app.jar", "v1 bytes");
        final Path first = artifacts.retain("web", "1.0", jar);
        final Path again = artifacts.retain("web", "1.0", jar);

        assertThat(again).isEqualTo(first).hasContent("v1 bytes");
        try (Stream<Path> files = Files.list(first.getParent())) {
            assertThat(files).containsExactly(first);
        }
    }

    @Test
    void differentBytesUnderAnAlreadyRetainedVersionAreRefusedAndTheOldCopyStays() throws IOException {
        final Path retained = artifacts.retain("web", "1.0", build("app.jar", "build A"));
        final Path rebuilt = build("other/app.jar", "build B");

        assertThatThrownBy(() -> artifacts.retain("web", "1.0", rebuilt))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 1.0 of web is already retained as " + retained)
                .hasMessageContaining("deploy this build under a new version");
        assertThat(retained).hasContent("build A");
        assertThat(artifacts.retain("web", "1.1", rebuilt)).hasContent("build B");
    }

    @Test
    void retainKeepsTheSourcesPermissions() throws IOException {
        final Path script = build("run.sh", "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
        final Path retained = artifacts.retain("worker", "3", script);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(retained))).isEqualTo("rwxr-x---");
    }

    @Test
    void aMissingSourceNamesThePathAndWhatToCheck() {
        final Path missing = tmp.resolve("nowhere").resolve("app.jar");
        assertThatThrownBy(() -> artifacts.retain("web", "1.0", missing))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("artifact " + missing.toAbsolutePath() + " does not exist; check the "
                        + "--artifact path");
        assertThat(root.resolve("web")).doesNotExist();
    }

    @Test
    void aDirectorySourceIsRefusedAsNotAFile() throws IOException {
        final Path dir = Files.createDirectories(tmp.resolve("target"));
        assertThatThrownBy(() -> artifacts.retain("web", "1.0", dir))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("--artifact must be a file, but " + dir.toAbsolutePath() + " is a directory");
    }

    @Test
    void anUnreadableSourceNamesThePathAndThePermissions() throws IOException {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads every file");
        final Path jar = build("secret.jar", "bytes");
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("-w-------"));
        assertThatThrownBy(() -> artifacts.retain("web", "1.0", jar))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("artifact " + jar.toAbsolutePath() + " is not readable by the daemon's user")
                .hasMessageContaining("check its permissions");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "../etc", "a/b", "a\\b", "", "web app", "wéb", ".hidden", "x;rm"})
    void namesThatCouldEscapeTheRootOrAreNotPlainAreRefused(String bad) throws IOException {
        final Path jar = build("app.jar", "bytes");
        assertThatThrownBy(() -> artifacts.retain(bad, "1.0", jar))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("service name \"" + bad + "\" cannot be a folder under " + root.toAbsolutePath())
                .hasMessageContaining("letters, digits, '.', '_' or '-'");
        assertThatThrownBy(() -> artifacts.retain("web", bad, jar))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("version name \"" + bad + "\"");
        assertThatThrownBy(() -> artifacts.prune(bad, List.of(), 0, Set.of()))
                .isInstanceOf(IllegalArgumentException.class);
        try (Stream<Path> everything = Files.walk(tmp)) {
            assertThat(everything.filter(p -> !p.startsWith(tmp.resolve("ci-workspace"))).filter(Files::isRegularFile))
                    .as("nothing written anywhere").isEmpty();
        }
    }

    @Test
    void plainVersionNamesWithDotsDashesAndUnderscoresAreAccepted() throws IOException {
        final Path jar = build("app.jar", "bytes");
        assertThat(artifacts.retain("web_api-2", "1.2.3-rc.1_b42", jar))
                .isEqualTo(root.resolve("web_api-2").resolve("1.2.3-rc.1_b42").resolve("app.jar"));
    }

    // ---- prune -----------------------------------------------------------------------------

    @Test
    void pruneDeletesEveryVersionAfterTheNewestKeepAndReturnsThem() throws IOException {
        for (String v : List.of("1", "2", "3", "4", "5")) {
            artifacts.retain("web", v, build("app-" + v + ".jar", "v" + v));
        }
        final List<String> removed = artifacts.prune("web", List.of("5", "4", "3", "2", "1"), 2, Set.of());

        assertThat(removed).containsExactly("3", "2", "1");
        assertThat(retainedVersions("web")).containsExactlyInAnyOrder("5", "4");
        assertThat(artifacts.prune("web", List.of("5", "4", "3", "2", "1"), 2, Set.of()))
                .as("nothing left to prune").isEmpty();
    }

    @Test
    void pruneNeverDeletesAProtectedVersionEvenBeyondKeep() throws IOException {
        for (String v : List.of("1", "2", "3", "4")) {
            artifacts.retain("web", v, build("app.jar-" + v, "v" + v));
        }
        // 4 was deployed and rolled back; 1 still serves after a rollback to it.
        final List<String> removed = artifacts.prune("web", List.of("4", "3", "2", "1"), 1, Set.of("1"));

        assertThat(removed).containsExactly("3", "2");
        assertThat(retainedVersions("web")).containsExactlyInAnyOrder("4", "1");
        assertThat(root.resolve("web/1/app.jar-1")).hasContent("v1");
    }

    @Test
    void pruneWithKeepZeroLeavesOnlyProtectedVersions() throws IOException {
        artifacts.retain("web", "1", build("a.jar", "1"));
        artifacts.retain("web", "2", build("b.jar", "2"));
        assertThat(artifacts.prune("web", List.of("2", "1"), 0, Set.of("2"))).containsExactly("1");
        assertThat(retainedVersions("web")).containsExactly("2");
    }

    @Test
    void pruneSkipsVersionsWithoutAFolderAndLeavesOtherServicesAndUnlistedFoldersAlone() throws IOException {
        artifacts.retain("web", "1", build("a.jar", "1"));
        artifacts.retain("web", "manual", build("m.jar", "m"));
        artifacts.retain("api", "1", build("api.jar", "api"));
        // "image-only" and "1.0+build" never had a folder (an image release; a name no folder could take).
        final List<String> removed = artifacts.prune("web", List.of("3", "image-only", "1.0+build", "1"), 1, Set.of());

        assertThat(removed).containsExactly("1");
        assertThat(retainedVersions("web")).containsExactly("manual");
        assertThat(retainedVersions("api")).containsExactly("1");
        assertThat(artifacts.prune("never-deployed", List.of("1"), 0, Set.of())).isEmpty();
    }

    @Test
    void pruneRefusesANegativeKeep() {
        assertThatThrownBy(() -> artifacts.prune("web", List.of("1"), -1, Set.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 or more, got -1");
    }

    private List<String> retainedVersions(String service) throws IOException {
        try (Stream<Path> dirs = Files.list(root.resolve(service))) {
            return dirs.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
