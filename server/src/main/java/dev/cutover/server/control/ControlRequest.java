package dev.cutover.server.control;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A request to the control API, fully read and parsed before the handler runs.
 *
 * @param method upper case ({@code "GET"})
 * @param path   the decoded path, without the query ({@code "/v1/services/web/deploy"})
 * @param params the route's path parameters by name ({@code service -> "web"})
 * @param query  query parameters; the first value when one is repeated
 * @param body   the JSON body; {@link com.fasterxml.jackson.databind.node.NullNode} when there is none
 */
public record ControlRequest(String method, String path, Map<String, String> params, Map<String, String> query,
                             JsonNode body) {

    public ControlRequest {
        params = Map.copyOf(params);
        query = Map.copyOf(query);
    }

    /** The path parameter {@code name}; the route guarantees it is there. */
    public String param(String name) {
        String value = params.get(name);
        if (value == null) {
            throw new IllegalArgumentException("the route for " + path + " has no path parameter {" + name + "}");
        }
        return value;
    }

    /**
     * The body read as {@code type}.
     *
     * @throws ControlException 400 when the body is missing or does not fit {@code type}, with
     *                          Jackson's description of where
     */
    public <T> T bodyAs(Class<T> type) {
        if (body.isNull() || body.isMissingNode()) {
            throw new ControlException(400, method + " " + path + " needs a JSON body");
        }
        try {
            return ControlJson.MAPPER.treeToValue(body, type);
        } catch (JsonProcessingException e) {
            throw new ControlException(400, "the request body does not fit " + type.getSimpleName() + ": "
                    + e.getOriginalMessage());
        }
    }
}
