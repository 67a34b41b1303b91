package dev.cutover.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "deploy",
        description = {"Deploys a release without losing a request.",
                "Starts it in the idle slot, waits until it is healthy, switches traffic, drains and stops the old",
                "one (verifying the new one under real traffic first, when configured).",
                "Exit codes: 0 deployed, 1 failed or aborted (the old version still serves), 2 usage, 3 no daemon."})
final class DeployCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    // Not mixinStandardHelpOptions: its -V/--version would take the name of the release's --version.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Mixin
    DaemonAddress daemon;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "the service, as named in cutover.yml")
    String service;

    @Option(names = "--version", required = true, paramLabel = "V", description = "the version to deploy, e.g. v2 or a git sha")
    String version;

    @Option(names = "--artifact", paramLabel = "PATH", description = "a file the command runs (${ARTIFACT}); retained for rollbacks")
    Path artifact;

    @Option(names = "--image", paramLabel = "REF", description = "a container image, for services with runtime: docker")
    String image;

    @Option(names = "--json", description = "print one JSON document (the result and every event) and nothing else")
    boolean json;

    @Override
    public Integer call() {
        return ClientCall.run(spec.commandLine().getErr(), () -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("version", version);
            if (artifact != null) {
                Path absolute = artifact.toAbsolutePath().normalize();
                if (!Files.isRegularFile(absolute)) {
                    throw new UsageException("--artifact " + artifact + ": no such file (" + absolute + ")");
                }
                body.put("artifact", absolute.toString());
            }
            if (image != null) {
                body.put("image", image);
            }
            DeployProgress progress = new DeployProgress(spec.commandLine().getOut(), json);
            daemon.client().stream("POST", "/v1/services/" + service + "/deploy", body, progress::accept);
            return progress.finish();
        });
    }
}
