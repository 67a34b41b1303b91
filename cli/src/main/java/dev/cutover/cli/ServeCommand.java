package dev.cutover.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.cutover.engine.store.StoreException;
import dev.cutover.server.Daemon;
import dev.cutover.server.config.ConfigException;
import dev.cutover.server.config.ConfigLoader;
import dev.cutover.server.config.CutoverConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the daemon: the proxy, the deploy engine and the control API, until SIGTERM or Ctrl-C.",
                "Apps it started keep running when it stops; the next start routes to them again."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "cutover.yml",
            description = "the config file (default: ${DEFAULT-VALUE})")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Cutover.logAtInfo();
        CutoverConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            err.println("cutover: the config is not valid, nothing was started:");
            err.println(e.getMessage());
            err.flush();
            return ExitCode.USAGE;
        }
        Daemon daemon;
        try {
            daemon = Daemon.start(loaded);
        } catch (IOException | StoreException e) {
            err.println("cutover: the daemon could not start: " + e.getMessage());
            err.flush();
            return ExitCode.USAGE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "cutover-shutdown"));
        stopped.await();
        return ExitCode.OK;
    }
}
