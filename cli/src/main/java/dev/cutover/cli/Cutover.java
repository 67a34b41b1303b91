package dev.cutover.cli;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import dev.cutover.sample.Durations;
import picocli.AutoComplete.GenerateCompletion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code cutover} command. Every subcommand is a class of its own, listed once in
 * {@code subcommands} below; {@link #run} is the whole program and returns the exit code
 * ({@link ExitCode}), so each command runs in-process in tests exactly as from a shell.
 */
@Command(name = "cutover",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true,
        header = "Zero-downtime deploys behind a built-in reverse proxy.",
        description = {
                "",
                "Exit codes: 0 success, 1 a deploy failed (the old version still serves) or a load saw failed"
                        + " requests, 2 bad usage or configuration, 3 the daemon cannot be reached."},
        // The one list of commands: add new ones here.
        subcommands = {
                ServeCommand.class,
                DeployCommand.class,
                RollbackCommand.class,
                StatusCommand.class,
                HistoryCommand.class,
                DemoCommand.class,
                LoadtestCommand.class,
                ProxyCommand.class,
                GenerateCompletion.class,
                HelpCommand.class,
        })
public final class Cutover implements Runnable {

    @Spec
    private CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Log what cutover does (INFO) on stderr; unexpected errors show their stack trace.")
    private boolean verbose;

    private Cutover() {
    }

    public static void main(String[] args) {
        final PrintWriter out = new PrintWriter(System.out, true);
        final PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }

    /** Runs {@code cutover args...}, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        final CommandLine commandLine = commandLine(out, err);
        try {
            return commandLine.execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** The command tree with cutover's output streams, exit codes and error handling. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        final CommandLine commandLine = new CommandLine(new Cutover());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        // Every command reads durations and addresses the same way.
        commandLine.registerConverter(Duration.class, Cutover::duration);
        commandLine.registerConverter(InetSocketAddress.class, Cutover::hostPort);
        commandLine.setParameterExceptionHandler(Cutover::usageError);
        commandLine.setExecutionExceptionHandler((e, failed, parsed) -> unexpected(e, failed, verbose(parsed)));
        commandLine.setExecutionStrategy(parsed -> {
            if (verbose(parsed)) {
                logAtInfo();
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return commandLine;
    }

    /** Raises cutover's logging from WARN to INFO: for {@code --verbose}, and for commands that run as daemons. */
    public static void logAtInfo() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root
                && !root.isInfoEnabled()) {
            root.setLevel(Level.INFO);
        }
    }

    /** {@code cutover} alone: the list of commands, as a usage error. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new ParameterException(spec.commandLine(), "a command is missing; choose one of those above");
    }

    /** Bad usage: one line saying what is wrong, one saying where help is. Nothing was attempted. */
    private static int usageError(ParameterException e, String[] args) {
        final CommandLine where = e.getCommandLine();
        final PrintWriter err = where.getErr();
        String message = String.valueOf(e.getMessage()).replaceAll("\\s*\\R\\s*", " ").strip();
        if (e instanceof UnmatchedArgumentException unmatched) {
            final List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                message += " (did you mean " + suggestions.get(0) + "?)";
            }
        }
        final String command = where.getCommandSpec().qualifiedName();
        err.println(command + ": " + message);
        err.println("try '" + command + " --help'");
        err.flush();
        return ExitCode.USAGE;
    }

    /** A failure nothing above anticipated: say what it was, and how to see more. */
    private static int unexpected(Exception e, CommandLine failed, boolean verbose) {
        final PrintWriter err = failed.getErr();
        err.println(failed.getCommandSpec().qualifiedName() + " failed unexpectedly: " + e);
        if (verbose) {
            e.printStackTrace(err);
        } else {
            err.println("run it again with --verbose to see where");
        }
        err.flush();
        return ExitCode.DEPLOY_FAILED;
    }

    /** {@code 500ms}, {@code 30s}, {@code 5m}, as everywhere in cutover. */
    static Duration duration(String text) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    /**
     * {@code HOST:PORT}, {@code [IPv6]:PORT}, or a bare {@code PORT} (or {@code :PORT}) meaning
     * 127.0.0.1. An {@code http://} in front is forgiven: people paste URLs.
     */
    static InetSocketAddress hostPort(String text) {
        String t = text.strip();
        if (t.regionMatches(true, 0, "http://", 0, 7)) {
            t = t.substring(7);
        }
        if (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        final int colon = t.lastIndexOf(':');
        String host = colon < 0 ? "" : t.substring(0, colon);
        final String port = colon < 0 ? t : t.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new TypeConversionException("'" + text + "' is ambiguous: write an IPv6 address in brackets, like [::1]:8080");
        }
        if (!port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535) {
            throw new TypeConversionException("'" + text + "' is not HOST:PORT (like 127.0.0.1:8080, or just 8080); the port must be 0 to 65535");
        }
        final InetSocketAddress address = new InetSocketAddress(host.isEmpty() ? "127.0.0.1" : host, Integer.parseInt(port));
        if (address.isUnresolved()) {
            throw new TypeConversionException("cannot resolve the host '" + host + "' in '" + text + "'; check the name or use an IP address");
        }
        return address;
    }

    private static boolean verbose(ParseResult parsed) {
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
