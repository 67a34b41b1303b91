package dev.cutover.engine.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {

    @TempDir
    Path dir;

    @Test
    void lastLinesOfAFileSpanningManyBlocks() throws Exception {
        final Path file = dir.resolve("app.log");
        Files.writeString(file, IntStream.rangeClosed(1, 20_000).mapToObj(i -> "line " + i).collect(Collectors.joining("\n", "", "\n")));
        assertThat(LogTail.last(file, 3)).isEqualTo("line 19998\nline 19999\nline 20000");
        assertThat(LogTail.last(file, 2000).lines().count()).isEqualTo(2000);
        assertThat(LogTail.last(file, 2000)).startsWith("line 18001\n");
    }

    @Test
    void fewerLinesThanAskedGivesThemAllAndNoTrailingNewlineIsFine() throws Exception {
        final Path file = dir.resolve("app.log");
        Files.writeString(file, "one\ntwo");
        assertThat(LogTail.last(file, 10)).isEqualTo("one\ntwo");
    }

    @Test
    void oneHugeLineIsCutAtTheMemoryBound() throws Exception {
        final Path file = dir.resolve("app.log");
        Files.writeString(file, "x".repeat(LogTail.MAX_BYTES * 3) + "\nlast\n");
        assertThat(LogTail.last(file, 2).length()).isLessThanOrEqualTo(LogTail.MAX_BYTES);
        assertThat(LogTail.last(file, 2)).endsWith("\nlast");
    }

    @Test
    void missingFileGivesNothing() {
        assertThat(LogTail.last(dir.resolve("nope.log"), 5)).isEmpty();
    }
}
