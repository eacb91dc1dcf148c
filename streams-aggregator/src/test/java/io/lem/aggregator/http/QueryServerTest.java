package io.lem.aggregator.http;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** The server's plumbing without Kafka: before Streams is attached it answers, but only 503 with Retry-After. */
class QueryServerTest {

    @Test
    void answersUnavailableUntilStreamsIsAttached() throws Exception {
        try (QueryServer server = QueryServer.start("127.0.0.1", 0, "127.0.0.1", "tok")) {
            assertThat(server.port()).isPositive();
            assertThat(server.url()).isEqualTo(URI.create("http://127.0.0.1:" + server.port()));
            ResultsClient client = new ResultsClient(server.url(), "tok");

            ResultsClient.Response health = new ResultsClient(server.url(), null).health();
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().get("state").asText()).isEqualTo("STARTING");

            ResultsClient.Response list = client.experiments();
            assertThat(list.status()).isEqualTo(503);
            assertThat(list.retryAfter()).isEqualTo("1");
            assertThat(list.json().get("error").asText()).contains("starting");

            ResultsClient.Response metrics = client.metrics();
            assertThat(metrics.status()).isEqualTo(200);
            assertThat(metrics.body()).contains("lem_aggregator_up{state=\"STARTING\"} 0\n")
                    .contains("# TYPE lem_experiment_energy_joules gauge");

            assertThat(new ResultsClient(server.url(), null).experiments().status()).isEqualTo(401);
            ResultsClient.Response bad = client.get("/nothing/here");
            assertThat(bad.status()).isEqualTo(404);
            assertThat(bad.json().get("endpoints")).hasSize(QueryServer.ENDPOINTS.size());
            assertThat(client.get("/experiments/x/processes/notanumber").status()).isEqualTo(404);

            HttpResponse<Void> head = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(server.url() + "/health")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(head.statusCode()).isEqualTo(503);
        }
    }
}
