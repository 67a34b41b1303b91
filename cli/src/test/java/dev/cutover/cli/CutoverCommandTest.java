package dev.cutover.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

class CutoverCommandTest {

    /** One in-process run of {@code cutover args...}: its exit code and what it wrote. */
    record Run(int exitCode, String out, String err) {
        static Run of(String... args) {
            final StringWriter out = new StringWriter();
            final StringWriter err = new StringWriter();
            final int code = Cutover.run(new PrintWriter(out), new PrintWriter(err), args);
            return new Run(code, out.toString(), err.toString());
        }

        List<String> errLines() {
            return err.lines().toList();
        }
    }

    @Test
    void helpOfEveryCommandExitsZeroAndShowsItsUsage() {
        final List<String> commands = List.copyOf(Cutover.commandLine(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter())).getSubcommands().keySet());
        assertThat(commands).contains("proxy", "loadtest", "generate-completion", "help");

        final Run top = Run.of("--help");
        assertThat(top.exitCode()).isZero();
        assertThat(top.out()).contains("Usage: cutover").contains("proxy").contains("loadtest");
        for (String command : commands) {
            final Run run = Run.of(command, "--help");
            assertThat(run.exitCode()).as("cutover %s --help", command).isZero();
            assertThat(run.out()).as("cutover %s --help", command).contains("Usage: cutover " + command);
            assertThat(run.err()).as("cutover %s --help", command).isEmpty();
        }
    }

    @Test
    void versionNamesCutoverAndExitsZero() {
        final Run run = Run.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("cutover ");
    }

    @Test
    void generatedCompletionIsABashScriptThatKnowsTheCommands() {
        final Run run = Run.of("generate-completion");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("complete -F").contains("loadtest").contains("proxy").contains("--io-threads");
    }

    @Test
    void aMistypedCommandIsAUsageErrorWithASuggestion() {
        final Run run = Run.of("lodtest");
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).containsExactly(
                "cutover: Unmatched argument at index 0: 'lodtest' (did you mean loadtest?)",
                "try 'cutover --help'");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void noCommandAtAllListsTheCommandsAndExitsTwo() {
        final Run run = Run.of();
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains("proxy").contains("loadtest").contains("a command is missing");
    }

    @Test
    void aDurationWrittenWronglyIsAUsageErrorThatShowsTheAcceptedForms() {
        final Run run = Run.of("loadtest", "http://127.0.0.1:1/", "--duration", "5x");
        assertThat(run.exitCode()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).containsExactly(
                "cutover loadtest: Invalid value for option '--duration': '5x' is not a duration; write it like 500ms, 2s or 1m",
                "try 'cutover loadtest --help'");
    }
}
