package dev.cutover.sample;

import java.io.PrintStream;

/**
 * The command line: {@code java -jar sample-app.jar --port 8081 --version v2}.
 * <p>
 * Exit codes tell the deploy engine what happened without parsing text: 0 stopped cleanly after
 * SIGTERM, 2 bad arguments or behavior file, 3 crashed on purpose, 4 could not listen.
 */
public final class SampleApp {

    static final int EXIT_USAGE = 2;
    static final int EXIT_CRASHED = 3;
    static final int EXIT_CANNOT_LISTEN = 4;

    private SampleApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        final PrintStream out = System.out;
        final PrintStream err = System.err;
        if (SampleArguments.wantsHelp(args)) {
            out.print(SampleArguments.USAGE);
            return;
        }
        final SampleOptions options;
        try {
            options = SampleArguments.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            err.println("sample-app: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        final SampleServer server;
        try {
            server = SampleServer.start(options);
        } catch (SampleStartException e) {
            err.println(e.getMessage());
            System.exit(e.reason() == SampleStartException.Reason.CRASHED_ON_PURPOSE ? EXIT_CRASHED : EXIT_CANNOT_LISTEN);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, out), "sample-app-shutdown"));
        out.println("sample-app " + server.version() + " listening on " + server.host() + ":" + server.port());
        out.flush();
        // main returns; the server's non-daemon event loop threads keep the process alive until SIGTERM.
    }

    /** Runs on SIGTERM: drain, say so, and exit 0, which is how the deploy engine knows the drain was clean. */
    private static void stop(SampleServer server, PrintStream out) {
        out.println("sample-app " + server.version() + ": stopping (" + server.inFlight() + " requests in flight)");
        out.flush();
        server.close();
        out.println("sample-app " + server.version() + ": stopped");
        out.flush();
        // A JVM ended by a signal exits with 143 even when every hook succeeded; halt keeps our 0.
        Runtime.getRuntime().halt(0);
    }
}
