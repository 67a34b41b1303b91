package dev.cutover.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.cutover.proxy.Proxy;
import dev.cutover.proxy.ProxyConfig;
import dev.cutover.proxy.RoutingTable;
import dev.cutover.proxy.Service;
import dev.cutover.proxy.Target;
import dev.cutover.proxy.TargetStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code cutover proxy}: the data plane alone, in front of one backend. No daemon, no config file,
 * no deploys: a plain reverse proxy, also what the benchmarks measure.
 */
@Command(name = "proxy",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        header = "Run the reverse proxy alone in front of one backend (no daemon, no config).",
        description = {
                "Runs cutover's reverse proxy alone, in front of one backend: a plain, zero-config HTTP/1.1"
                        + " reverse proxy (keep-alive both ways, streaming bodies with backpressure, WebSockets,"
                        + " X-Forwarded-For/Proto/Host added, 502/504 when the backend fails).",
                "",
                "It runs until Ctrl-C or SIGTERM, then stops gracefully: it stops accepting, lets the requests"
                        + " in flight finish (up to --shutdown-timeout), and exits 0. Deploys are not its job: for"
                        + " zero-downtime switches between versions, run 'cutover serve'.",
                ""},
        footer = {
                "",
                "Examples:",
                "  cutover proxy --to 127.0.0.1:8081              (listens on 127.0.0.1:8080)",
                "  cutover proxy --listen 0.0.0.0:8000 --to 10.0.0.5:8081",
                "  cutover proxy --listen :18093 --to :18090 --io-threads 1",
                "",
                "Exit codes: 0 stopped cleanly, 2 bad usage or the listen address cannot be used (taken, not local)."})
public final class ProxyCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
            description = "Where clients connect: HOST:PORT, [IPv6]:PORT, or a bare PORT for 127.0.0.1."
                    + " Default: ${DEFAULT-VALUE}.")
    private InetSocketAddress listen;

    @Option(names = "--to", paramLabel = "HOST:PORT", required = true,
            description = "The backend every request goes to, e.g. 127.0.0.1:8081 (a bare PORT means 127.0.0.1).")
    private InetSocketAddress to;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Event loop threads; each owns its connections both ways. 0 (the default) is one per core.")
    private int ioThreads;

    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "On Ctrl-C or SIGTERM, how long requests in flight may still run before they are ended."
                    + " Default: ${DEFAULT-VALUE}.")
    private Duration shutdownTimeout;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (ioThreads < 0) {
            throw new ParameterException(spec.commandLine(), "--io-threads must be 0 (one per core) or more, got " + ioThreads);
        }
        if (to.getPort() == 0) {
            throw new ParameterException(spec.commandLine(), "--to needs the backend's port, got port 0");
        }
        if (shutdownTimeout.isZero()) {
            throw new ParameterException(spec.commandLine(), "--shutdown-timeout must be longer than 0, like 30s");
        }

        final Service service = new Service("backend");
        final Target target = new Target("backend", to);
        service.switchTo(target);
        final ProxyConfig config = ProxyConfig.builder().listen(listen).ioThreads(ioThreads).build();
        final Proxy proxy;
        try {
            proxy = Proxy.start(config, RoutingTable.builder().route(service).build());
        } catch (IOException e) {
            err.println(e.getMessage());
            err.flush();
            return ExitCode.USAGE;
        }
        final InetSocketAddress bound = proxy.localAddress();
        out.printf("cutover proxy: listening on %s:%d, forwarding to %s:%d (%d I/O threads, %s); Ctrl-C stops%n",
                bound.getHostString(), bound.getPort(), to.getHostString(), to.getPort(),
                config.effectiveIoThreads(), proxy.transportName());
        out.flush();

        // SIGTERM and Ctrl-C run shutdown hooks while this thread stays parked: the hook does the graceful stop.
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() -> {
            stop(proxy, target, out);
            stopped.countDown();
        }, "cutover-proxy-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } catch (InterruptedException e) {
            // In-process callers (tests, an embedding program) stop the command by interrupting it.
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            stop(proxy, target, out);
        } catch (IllegalStateException jvmShuttingDown) {
            // The hook is already stopping the proxy.
        }
        return ExitCode.OK;
    }

    private void stop(Proxy proxy, Target target, PrintWriter out) {
        proxy.shutdown(shutdownTimeout).join();
        final TargetStats stats = target.stats();
        out.printf("cutover proxy: stopped after %d requests (%d answered 5xx by the backend or the proxy)%n",
                stats.requests(), stats.responses5xx());
        out.flush();
    }
}
