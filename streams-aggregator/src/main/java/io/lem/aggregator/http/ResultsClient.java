package io.lem.aggregator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

/**
 * A small client of the aggregator's HTTP API, for {@code lem results ...} and tests. Any instance of an application
 * answers for all of them.
 */
public final class ResultsClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String bearerToken;
    private final Duration requestTimeout;
    private final HttpClient client;

    /** One answer: the HTTP status and the body as text. */
    public record Response(int status, String body, String retryAfter) {
        public boolean ok() {
            return status == 200;
        }

        /** The body parsed as JSON (the error object for a non-200 JSON answer). */
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("answer is not JSON (status " + status + "): " + body, e);
            }
        }
    }

    /**
     * @param baseUrl     e.g. {@code http://127.0.0.1:7070}
     * @param bearerToken the aggregator's token, or null
     */
    public ResultsClient(URI baseUrl, String bearerToken) {
        this(baseUrl, bearerToken, Duration.ofSeconds(15));
    }

    public ResultsClient(URI baseUrl, String bearerToken, Duration requestTimeout) {
        String s = Objects.requireNonNull(baseUrl, "baseUrl").toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.bearerToken = bearerToken;
        this.requestTimeout = requestTimeout;
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public Response experiments() throws IOException, InterruptedException {
        return get("/experiments");
    }

    public Response experiment(String id) throws IOException, InterruptedException {
        return get("/experiments/" + PathCodec.encodeSegment(id));
    }

    public Response processes(String id) throws IOException, InterruptedException {
        return get("/experiments/" + PathCodec.encodeSegment(id) + "/processes");
    }

    public Response process(String id, int n) throws IOException, InterruptedException {
        return get("/experiments/" + PathCodec.encodeSegment(id) + "/processes/" + n);
    }

    public Response health() throws IOException, InterruptedException {
        return get("/health");
    }

    public Response metrics() throws IOException, InterruptedException {
        return get("/metrics");
    }

    /** GET a raw path (already percent-encoded), e.g. {@code /experiments}. */
    public Response get(String rawPath) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + rawPath)).timeout(requestTimeout).GET();
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(),
                response.headers().firstValue("Retry-After").orElse(null));
    }

    /**
     * GET, repeating while the aggregator answers 503 (rebalancing, restoring, starting), waiting as its
     * {@code Retry-After} says; returns the first other answer, or the last 503 once {@code patience} has passed.
     */
    public Response getPatiently(String rawPath, Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (true) {
            Response r = get(rawPath);
            if (r.status() != 503 || System.nanoTime() - deadline > 0) {
                return r;
            }
            long waitMillis = 1000;
            if (r.retryAfter() != null) {
                try {
                    waitMillis = Math.max(100, Long.parseLong(r.retryAfter().trim()) * 1000);
                } catch (NumberFormatException ignored) {
                    // an HTTP date: use the default
                }
            }
            Thread.sleep(Math.min(waitMillis, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }
}
