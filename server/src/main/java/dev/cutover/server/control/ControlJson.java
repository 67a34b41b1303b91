package dev.cutover.server.control;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON configuration both ends of the control API share.
 *
 * <ul>
 *   <li>Instants and dates are ISO-8601 strings ({@code "2025-06-01T12:00:00.123Z"}), never epoch
 *       numbers: readable in {@code curl} output and in logs.</li>
 *   <li>Durations are ISO-8601 strings too ({@code "PT1.5S"}, {@code "PT2M"}): lossless, read back
 *       into {@link java.time.Duration} as is, and never ambiguous about their unit.</li>
 *   <li>Unknown properties are errors, as in cutover.yml: a typo must not silently become a
 *       default.</li>
 *   <li>Trailing content after a document is an error ({@code {"a":1} x} is not JSON).</li>
 * </ul>
 */
public final class ControlJson {

    /** Configured once, thread-safe; do not reconfigure it. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
            .build();

    private ControlJson() {
    }
}
