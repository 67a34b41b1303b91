package dev.cutover.server.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.cutover.engine.ServiceSpec;
import dev.cutover.engine.traffic.NginxSettings;
import dev.cutover.proxy.ProxyConfig;

/**
 * cutover.yml, read and checked: everything the daemon needs to start.
 *
 * @param source   the file it was read from
 * @param stateDir absolute; where the database, releases and logs live
 * @param proxy    the built-in proxy ({@code traffic: proxy}, the default); null with {@code traffic: nginx}
 * @param services by name, in the order the file lists them
 * @param nginx    the nginx cutover drives ({@code traffic: nginx}); null with the built-in proxy
 * @param dockerHost the Docker engine's address for services with runtime: docker ({@code docker.host},
 *                   else DOCKER_HOST, else unix:///var/run/docker.sock)
 */
public record CutoverConfig(Path source, ProxyConfig proxy, Path stateDir, ControlConfig control,
                            Map<String, ServiceSpec> services, NginxSettings nginx, String dockerHost) {

    public CutoverConfig(Path source, ProxyConfig proxy, Path stateDir, ControlConfig control,
                         Map<String, ServiceSpec> services) {
        this(source, proxy, stateDir, control, services, null, null);
    }

    public CutoverConfig {
        Objects.requireNonNull(source, "source");
        if ((proxy == null) == (nginx == null)) {
            throw new IllegalArgumentException("exactly one traffic switch: the proxy or an nginx");
        }
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(control, "control");
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
        dockerHost = dockerHost == null ? dev.cutover.engine.runtime.DockerRuntime.defaultHost() : dockerHost;
    }

    /** Whether any service runs as a container, so the daemon needs the Docker engine. */
    public boolean usesDocker() {
        return services.values().stream().anyMatch(s -> "docker".equals(s.runtime()));
    }
}
