package dev.cutover.server.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import dev.cutover.engine.ServiceSpec;
import dev.cutover.proxy.ProxyConfig;

/**
 * cutover.yml, read and checked: everything the daemon needs to start.
 *
 * @param source   the file it was read from
 * @param stateDir absolute; where the database, releases and logs live
 * @param services by name, in the order the file lists them
 */
public record CutoverConfig(Path source, ProxyConfig proxy, Path stateDir, ControlConfig control,
                            Map<String, ServiceSpec> services) {

    public CutoverConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(proxy, "proxy");
        Objects.requireNonNull(stateDir, "stateDir");
        Objects.requireNonNull(control, "control");
        services = Collections.unmodifiableMap(new LinkedHashMap<>(services));
    }
}
