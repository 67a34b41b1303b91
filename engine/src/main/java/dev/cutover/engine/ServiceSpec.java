package dev.cutover.engine;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One service as cutover.yml describes it: how to run a release, on which two ports, how to tell it
 * is healthy, and how long to wait while draining and stopping.
 *
 * @param command        argv with placeholders ${PORT}, ${VERSION}, ${ARTIFACT}, ${SLOT}
 * @param workdir        where the command runs; null for the state dir's folder of the service
 * @param hosts          Host names routed to this service (exact or {@code *.example.com}); empty for any
 * @param pathPrefix     path prefix routed to this service ({@code /} for all)
 * @param keepReleases   how many retained artifacts to keep per service
 */
public record ServiceSpec(String name, String runtime, List<String> command, Map<String, String> env, Path workdir,
                          Map<Slot, Integer> ports, HealthSpec health, Duration drainTimeout, Duration stopTimeout,
                          VerifySpec verify, List<String> hosts, String pathPrefix, int keepReleases) {

    public ServiceSpec {
        Objects.requireNonNull(name, "name");
        command = List.copyOf(command);
        env = Map.copyOf(env);
        ports = Map.copyOf(ports);
        hosts = List.copyOf(hosts);
        if (!ports.containsKey(Slot.BLUE) || !ports.containsKey(Slot.GREEN)) {
            throw new IllegalArgumentException("service " + name + " needs a blue and a green port");
        }
    }

    public int port(Slot slot) {
        return ports.get(slot);
    }

    /** A process service with the defaults of cutover.yml; tests and the demo start from here. */
    public static ServiceSpec process(String name, List<String> command, int bluePort, int greenPort) {
        return new ServiceSpec(name, "process", command, Map.of(), null, Map.of(Slot.BLUE, bluePort, Slot.GREEN, greenPort),
                HealthSpec.DEFAULT, Duration.ofSeconds(30), Duration.ofSeconds(20), VerifySpec.OFF, List.of(), "/", 5);
    }

    /** A container service (runtime: docker) with the defaults of cutover.yml; empty command = the image's own. */
    public static ServiceSpec docker(String name, List<String> command, int bluePort, int greenPort) {
        return new ServiceSpec(name, "docker", command, Map.of(), null, Map.of(Slot.BLUE, bluePort, Slot.GREEN, greenPort),
                HealthSpec.DEFAULT, Duration.ofSeconds(30), Duration.ofSeconds(20), VerifySpec.OFF, List.of(), "/", 5);
    }

    public ServiceSpec withHealth(HealthSpec health) {
        return new ServiceSpec(name, runtime, command, env, workdir, ports, health, drainTimeout, stopTimeout, verify,
                hosts, pathPrefix, keepReleases);
    }

    public ServiceSpec withVerify(VerifySpec verify) {
        return new ServiceSpec(name, runtime, command, env, workdir, ports, health, drainTimeout, stopTimeout, verify,
                hosts, pathPrefix, keepReleases);
    }

    public ServiceSpec withTimeouts(Duration drainTimeout, Duration stopTimeout) {
        return new ServiceSpec(name, runtime, command, env, workdir, ports, health, drainTimeout, stopTimeout, verify,
                hosts, pathPrefix, keepReleases);
    }

    public ServiceSpec withEnv(Map<String, String> env) {
        return new ServiceSpec(name, runtime, command, env, workdir, ports, health, drainTimeout, stopTimeout, verify,
                hosts, pathPrefix, keepReleases);
    }
}
