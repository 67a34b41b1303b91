package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class RoutingTableTest {

    private final Service web = new Service("web");
    private final Service api = new Service("api");
    private final Service admin = new Service("admin");
    private final Service tenants = new Service("tenants");

    @Test
    void singleServiceTakesEveryHostAndPath() {
        RoutingTable table = RoutingTable.builder().route(web).build();

        assertThat(table.resolve(null, "/")).isSameAs(web);
        assertThat(table.resolve("anything.example:8080", "/deep/path?q=1")).isSameAs(web);
    }

    @Test
    void exactHostWinsOverWildcardAndWildcardOverAnyHost() {
        RoutingTable table = RoutingTable.builder()
                .route(web)
                .route(tenants, List.of("*.example.com"), List.of())
                .route(api, List.of("api.example.com"), List.of())
                .build();

        assertThat(table.resolve("api.example.com", "/")).isSameAs(api);
        assertThat(table.resolve("API.Example.COM:443", "/")).isSameAs(api);
        assertThat(table.resolve("acme.example.com", "/")).isSameAs(tenants);
        assertThat(table.resolve("a.b.example.com", "/")).isSameAs(tenants);
        assertThat(table.resolve("example.com", "/")).isSameAs(web);
        assertThat(table.resolve("other.org", "/")).isSameAs(web);
        assertThat(table.resolve(null, "/")).isSameAs(web);
    }

    @Test
    void longestPathPrefixWinsOnSegmentBoundaries() {
        RoutingTable table = RoutingTable.builder()
                .route(web, List.of("example.com"), List.of("/"))
                .route(api, List.of("example.com"), List.of("/api/"))
                .route(admin, List.of("example.com"), List.of("/api/admin"))
                .build();

        assertThat(table.resolve("example.com", "/api")).isSameAs(api);
        assertThat(table.resolve("example.com", "/api/users?x=/api/admin")).isSameAs(api);
        assertThat(table.resolve("example.com", "/api/admin")).isSameAs(admin);
        assertThat(table.resolve("example.com", "/api/admin/users")).isSameAs(admin);
        assertThat(table.resolve("example.com", "/apix")).isSameAs(web);
        assertThat(table.resolve("example.com", "/api/administrator")).isSameAs(api);
    }

    @Test
    void hostIsChosenFirstWithoutFallingBackToAnotherHostsPaths() {
        RoutingTable table = RoutingTable.builder()
                .route(web)
                .route(api, List.of("api.example.com"), List.of("/v1"))
                .build();

        assertThat(table.resolve("api.example.com", "/v2")).isNull();
        assertThat(table.resolve("www.example.com", "/v2")).isSameAs(web);
    }

    @Test
    void absoluteFormRequestTargetsRouteByTheirPath() {
        RoutingTable table = RoutingTable.builder()
                .route(web, List.of(), List.of("/"))
                .route(api, List.of(), List.of("/api"))
                .build();

        assertThat(table.resolve("x", "http://x/api/users")).isSameAs(api);
        assertThat(table.resolve("x", "http://x")).isSameAs(web);
    }

    @Test
    void ipv6HostWithPortIsNormalized() {
        RoutingTable table = RoutingTable.builder().route(api, List.of("[::1]"), List.of()).build();

        assertThat(table.resolve("[::1]:8080", "/")).isSameAs(api);
    }

    @Test
    void noRouteYieldsNull() {
        RoutingTable table = RoutingTable.builder().route(api, List.of("api.example.com"), List.of()).build();

        assertThat(table.resolve("www.example.com", "/")).isNull();
        assertThat(RoutingTable.empty().resolve("x", "/")).isNull();
    }

    @Test
    void twoServicesClaimingTheSameHostAndPathAreRejected() {
        assertThatThrownBy(() -> RoutingTable.builder()
                .route(web, List.of("example.com"), List.of("/api"))
                .route(api, List.of("example.com"), List.of("/api/"))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("services 'web' and 'api' both claim path /api on example.com");
    }

    @Test
    void aPathPrefixMustStartWithASlash() {
        assertThatThrownBy(() -> RoutingTable.builder().route(web, List.of(), List.of("api")))
                .hasMessage("a path prefix must start with '/': api");
    }
}
