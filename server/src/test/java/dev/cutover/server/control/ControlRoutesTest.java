package dev.cutover.server.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ControlRoutesTest {

    private static final ControlHandler A = (req, res) -> { };
    private static final ControlHandler B = (req, res) -> { };

    @Test
    void twoHandlersForTheSameMethodAndShapeAreRefused() {
        assertThatThrownBy(() -> ControlRoutes.builder().get("/v1/services/{service}", A).get("/v1/services/{name}", B))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("two handlers for GET /v1/services/{name}");
    }

    @Test
    void malformedTemplatesAreRefused() {
        assertThatThrownBy(() -> ControlRoutes.builder().get("v1/status", A)).hasMessageContaining("must start with /");
        assertThatThrownBy(() -> ControlRoutes.builder().get("/v1/{a}/{a}", A)).hasMessageContaining("repeated parameter {a}");
        assertThatThrownBy(() -> ControlRoutes.builder().get("/v1/x{a}", A)).hasMessageContaining("whole segment");
    }

    @Test
    void matchingGivesParametersOrTheAllowedMethods() {
        ControlRoutes routes = ControlRoutes.builder()
                .get("/v1/services/{service}", A)
                .delete("/v1/services/{service}", B)
                .post("/v1/services/{service}/deploy", B)
                .build();

        assertThat(routes.match("GET", List.of("v1", "services", "web")))
                .isEqualTo(new ControlRoutes.Match.Found(A, Map.of("service", "web")));
        assertThat(routes.match("PUT", List.of("v1", "services", "web")))
                .isEqualTo(new ControlRoutes.Match.MethodNotAllowed(java.util.Set.of("DELETE", "GET")));
        assertThat(routes.match("GET", List.of("v1", "services", "")))
                .isInstanceOf(ControlRoutes.Match.NotFound.class);
        assertThat(routes.match("GET", List.of("v1", "services", "web", "deploy", "x")))
                .isInstanceOf(ControlRoutes.Match.NotFound.class);
    }
}
