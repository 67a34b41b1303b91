package dev.cutover.sample;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Request headers as the JSON object {@code /headers} answers: lowercased name to the list of values,
 * in arrival order. Proxy tests read it to see exactly what reached the backend (X-Forwarded-*, Via,
 * and which hop-by-hop headers were stripped).
 */
final class HeadersJson {

    private HeadersJson() {
    }

    static String of(HttpHeaders headers) {
        final Map<String, List<String>> byName = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : headers) {
            byName.computeIfAbsent(header.getKey().toLowerCase(Locale.ROOT), name -> new ArrayList<>()).add(header.getValue());
        }
        final StringBuilder json = new StringBuilder("{");
        byName.forEach((name, values) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            quote(json, name).append(":[");
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    json.append(',');
                }
                quote(json, values.get(i));
            }
            json.append(']');
        });
        return json.append("}\n").toString();
    }

    private static StringBuilder quote(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
