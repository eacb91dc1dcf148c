package io.lem.aggregator.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One HTTP response, built before it is written: status, content type, body and extra headers.
 *
 * @param status      HTTP status
 * @param contentType {@code Content-Type} header value
 * @param body        response body
 * @param headers     further headers (e.g. {@code Retry-After})
 */
public record HttpAnswer(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String JSON = "application/json; charset=utf-8";
    public static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    public HttpAnswer {
        headers = Map.copyOf(headers == null ? Map.of() : headers);
    }

    public static HttpAnswer text(int status, String contentType, String body) {
        return new HttpAnswer(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public HttpAnswer withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpAnswer(status, contentType, body, h);
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
