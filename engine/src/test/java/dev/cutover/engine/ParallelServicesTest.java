package dev.cutover.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.cutover.engine.runtime.ProcessRuntime;
import dev.cutover.engine.store.Store;
import dev.cutover.engine.traffic.ProxySwitch;
import dev.cutover.proxy.Proxy;
import dev.cutover.proxy.ProxyConfig;
import dev.cutover.proxy.RoutingTable;
import dev.cutover.testing.RawHttp;

/** The lock is per service: two services deploy at the same time, each routed by its own Host. */
class ParallelServicesTest {

    @TempDir
    Path dir;

    @Test
    void twoServicesDeployInParallelAndEachHostReachesItsOwn() throws Exception {
        ServiceSpec web = EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort());
        ServiceSpec api = onHost(EngineHarness.sampleApp(EngineHarness.freePort(), EngineHarness.freePort()), "api");
        Map<String, ServiceSpec> services = new LinkedHashMap<>();
        services.put("web", web);
        services.put("api", api);
        Path state = dir.resolve("state");
        Files.createDirectories(state);
        Path artifact = Files.writeString(dir.resolve("good.properties"), "");
        try (Store store = Store.open(state.resolve("state.db"));
             Proxy proxy = Proxy.start(ProxyConfig.builder().listen("127.0.0.1", 0).ioThreads(1).build(), RoutingTable.empty());
             var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Engine engine = new Engine(services, new ProcessRuntime(), new ProxySwitch(proxy), store, state, Clock.systemUTC());
            try {
                long start = System.nanoTime();
                CompletableFuture<DeployResult> webDeploy = CompletableFuture.supplyAsync(() -> deploy(engine, "web", "w1", artifact), threads);
                CompletableFuture<DeployResult> apiDeploy = CompletableFuture.supplyAsync(() -> deploy(engine, "api", "a1", artifact), threads);

                assertThat(webDeploy.join().outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
                assertThat(apiDeploy.join().outcome()).isEqualTo(DeployOutcome.SUCCEEDED);
                Duration both = Duration.ofNanos(System.nanoTime() - start);
                assertThat(both).as("in parallel, not one after the other")
                        .isLessThan(webDeploy.join().took().plus(apiDeploy.join().took()));
                assertThat(versionAt(proxy, "example.com")).isEqualTo("w1");
                assertThat(versionAt(proxy, "api.local")).isEqualTo("a1");
            } finally {
                engine.stopAllApps();
            }
        }
    }

    private static DeployResult deploy(Engine engine, String service, String version, Path artifact) {
        try {
            return engine.deploy(DeployRequest.of(service, version).withArtifact(artifact), e -> { });
        } catch (DeployRefusedException e) {
            throw new AssertionError(e);
        }
    }

    private static String versionAt(Proxy proxy, String host) throws Exception {
        try (RawHttp client = RawHttp.connect(proxy.localAddress().getPort())) {
            return client.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").readResponse().header("x-version");
        }
    }

    private static ServiceSpec onHost(ServiceSpec s, String name) {
        return new ServiceSpec(name, s.runtime(), s.command(), s.env(), s.workdir(), s.ports(), s.health(),
                s.drainTimeout(), s.stopTimeout(), s.verify(), List.of(name + ".local"), "/", s.keepReleases());
    }
}
