package dev.cutover.sample;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Turns the command line, the environment and the behavior file into {@link SampleOptions}.
 * <p>
 * Later sources win, key by key: environment, then the behavior file, then flags. The behavior file
 * is how a deploy artifact makes one version broken, so it beats the environment every version shares;
 * a flag typed by hand beats both.
 */
final class SampleArguments {

    static final String USAGE = """
            usage: java -jar sample-app.jar --port 8081 --version v2 [--host 127.0.0.1]
                   [--never-healthy] [--crash-on-start] [--error-ratio 0.5] [--startup-delay 2s] [--behavior FILE]
              --port           port to listen on, 0 for any free one (env PORT)
              --version        version to report in bodies and X-Version (env VERSION, default dev)
              --host           address to listen on (default 127.0.0.1)
              --never-healthy  /health answers 503 (env SAMPLE_NEVER_HEALTHY=1)
              --crash-on-start exit with code 3 instead of listening (env SAMPLE_CRASH_ON_START=1)
              --error-ratio    share of /, /slow and /upload answered 500, 0 to 1 (env SAMPLE_ERROR_RATIO)
              --startup-delay  wait before listening, e.g. 500ms, 2s, 1m (env SAMPLE_STARTUP_DELAY)
              --behavior       properties file with never_healthy, crash_on_start, error_ratio, startup_delay;
                               an empty value means no file
            """;

    private static final List<String> VALUE_FLAGS = List.of("port", "version", "host", "error-ratio", "startup-delay", "behavior");
    private static final List<String> SWITCHES = List.of("never-healthy", "crash-on-start");

    private SampleArguments() {
    }

    /** Whether the user asked for the usage text rather than a server. */
    static boolean wantsHelp(String[] args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h");
    }

    /**
     * @throws IllegalArgumentException with a sentence naming the bad flag, variable or file key
     */
    static SampleOptions parse(String[] args, Map<String, String> env) {
        final Map<String, String> flags = flags(args);
        final String port = flags.getOrDefault("port", nonEmpty(env.get("PORT")));
        if (port == null) {
            throw new IllegalArgumentException("no port given; pass --port 8081 or set PORT=8081 (0 picks a free port)");
        }
        SampleOptions options = SampleOptions.of(0, "dev")
                .withPort(parsePort(port, flags.containsKey("port") ? "--port" : "PORT"));
        options = applyEnvironment(options, env);
        final String behavior = flags.get("behavior");
        if (behavior != null && !behavior.isBlank()) {
            options = applyBehaviorFile(options, Path.of(behavior));
        }
        return applyFlags(options, flags);
    }

    /** Flags by name without the dashes; switches map to "true". Accepts {@code --name value} and {@code --name=value}. */
    private static Map<String, String> flags(String[] args) {
        final Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            final String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'; options start with --, e.g. --port 8081");
            }
            final int eq = arg.indexOf('=');
            final String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
            if (SWITCHES.contains(name)) {
                if (eq >= 0) {
                    throw new IllegalArgumentException("--" + name + " is a switch and takes no value; write just --" + name);
                }
                flags.put(name, "true");
            } else if (VALUE_FLAGS.contains(name)) {
                if (eq >= 0) {
                    flags.put(name, arg.substring(eq + 1));
                } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    flags.put(name, args[++i]);
                } else {
                    throw new IllegalArgumentException("--" + name + " needs a value, e.g. " + example(name));
                }
            } else {
                throw new IllegalArgumentException("unknown option '" + arg + "'; see --help for the options");
            }
        }
        return flags;
    }

    private static SampleOptions applyEnvironment(SampleOptions options, Map<String, String> env) {
        SampleOptions o = options;
        if (nonEmpty(env.get("VERSION")) != null) {
            o = o.withVersion(env.get("VERSION"));
        }
        if (nonEmpty(env.get("SAMPLE_NEVER_HEALTHY")) != null) {
            o = o.withNeverHealthy(parseSwitch(env.get("SAMPLE_NEVER_HEALTHY"), "SAMPLE_NEVER_HEALTHY"));
        }
        if (nonEmpty(env.get("SAMPLE_CRASH_ON_START")) != null) {
            o = o.withCrashOnStart(parseSwitch(env.get("SAMPLE_CRASH_ON_START"), "SAMPLE_CRASH_ON_START"));
        }
        if (nonEmpty(env.get("SAMPLE_ERROR_RATIO")) != null) {
            o = o.withErrorRatio(parseRatio(env.get("SAMPLE_ERROR_RATIO"), "SAMPLE_ERROR_RATIO"));
        }
        if (nonEmpty(env.get("SAMPLE_STARTUP_DELAY")) != null) {
            o = o.withStartupDelay(parseDuration(env.get("SAMPLE_STARTUP_DELAY"), "SAMPLE_STARTUP_DELAY"));
        }
        return o;
    }

    private static SampleOptions applyBehaviorFile(SampleOptions options, Path file) {
        final Properties behavior = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            behavior.load(reader);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("behavior file " + file.toAbsolutePath() + " does not exist; pass an existing file, or --behavior= for none");
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read behavior file " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        SampleOptions o = options;
        for (String key : behavior.stringPropertyNames()) {
            final String value = behavior.getProperty(key).trim();
            final String where = key + " in " + file;
            o = switch (key) {
                case "never_healthy" -> o.withNeverHealthy(parseSwitch(value, where));
                case "crash_on_start" -> o.withCrashOnStart(parseSwitch(value, where));
                case "error_ratio" -> o.withErrorRatio(parseRatio(value, where));
                case "startup_delay" -> o.withStartupDelay(parseDuration(value, where));
                default -> throw new IllegalArgumentException("unknown key '" + key + "' in behavior file " + file
                        + "; the keys are never_healthy, crash_on_start, error_ratio and startup_delay");
            };
        }
        return o;
    }

    private static SampleOptions applyFlags(SampleOptions options, Map<String, String> flags) {
        SampleOptions o = options;
        if (flags.containsKey("host")) {
            o = o.withHost(flags.get("host"));
        }
        if (flags.containsKey("version")) {
            o = o.withVersion(flags.get("version"));
        }
        if (flags.containsKey("never-healthy")) {
            o = o.withNeverHealthy(true);
        }
        if (flags.containsKey("crash-on-start")) {
            o = o.withCrashOnStart(true);
        }
        if (flags.containsKey("error-ratio")) {
            o = o.withErrorRatio(parseRatio(flags.get("error-ratio"), "--error-ratio"));
        }
        if (flags.containsKey("startup-delay")) {
            o = o.withStartupDelay(parseDuration(flags.get("startup-delay"), "--startup-delay"));
        }
        return o;
    }

    private static int parsePort(String text, String where) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " must be a port number such as 8081, got '" + text + "'");
        }
    }

    private static boolean parseSwitch(String text, String where) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes" -> true;
            case "0", "false", "no" -> false;
            default -> throw new IllegalArgumentException(where + " must be true or false (or 1 or 0), got '" + text + "'");
        };
    }

    private static double parseRatio(String text, String where) {
        final double ratio;
        try {
            ratio = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + " must be a number between 0 and 1, e.g. 0.5, got '" + text + "'");
        }
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException(where + " must be between 0 and 1 (0.5 fails every second request), got '" + text + "'");
        }
        return ratio;
    }

    private static java.time.Duration parseDuration(String text, String where) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
    }

    private static String nonEmpty(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static String example(String flag) {
        return switch (flag) {
            case "port" -> "--port 8081";
            case "version" -> "--version v2";
            case "host" -> "--host 127.0.0.1";
            case "error-ratio" -> "--error-ratio 0.5";
            case "startup-delay" -> "--startup-delay 2s";
            default -> "--behavior /path/to/behavior.properties (or --behavior= for none)";
        };
    }
}
