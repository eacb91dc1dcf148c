package io.lem.cli.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lem.aggregator.http.ResultsClient;
import io.lem.cli.ExitCodes;
import io.lem.cli.UserError;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Results from the aggregator when one answers, else from the files {@code lem aggregate} exported. {@link #note()}
 * says which, so a reader never mistakes stale files for live state.
 */
final class ResultsSource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PROCESS_FILE = Pattern.compile("process_(-?\\d+)\\.json");
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final AggregatorOptions options;
    private final ResultsClient client;
    private Boolean live;

    ResultsSource(AggregatorOptions options) {
        this.options = options;
        this.client = new ResultsClient(options.url, options.token(), Duration.ofSeconds(10));
    }

    /** Null when the aggregator answered; else a line saying the files are shown instead. */
    String note() {
        return Boolean.FALSE.equals(live) ? "no aggregator answers at " + options.url + "; showing exported results from "
                + options.resultsDir.resolve("aggregated") + " (start one with 'lem serve')" : null;
    }

    ArrayNode experiments() throws IOException, InterruptedException {
        Optional<ResultsClient.Response> response = ask("/experiments");
        if (response.isPresent()) {
            return (ArrayNode) response.get().json().path("experiments");
        }
        ArrayNode rows = JSON.createArrayNode();
        Path dir = options.resultsDir.resolve("aggregated");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                    rows.add(listRow(read(file)));
                }
            }
        }
        return rows;
    }

    ObjectNode experiment(String id) throws IOException, InterruptedException {
        Optional<ResultsClient.Response> response = ask("/experiments/" + io.lem.aggregator.http.PathCodec.encodeSegment(id));
        if (response.isPresent()) {
            return (ObjectNode) response.get().json();
        }
        Path file = options.resultsDir.resolve("aggregated").resolve(id + ".json");
        if (!Files.isRegularFile(file)) {
            throw new UserError("no experiment '" + id + "': no aggregator answers at " + options.url
                    + " and there is no " + file, ExitCodes.FAILED);
        }
        return (ObjectNode) read(file);
    }

    List<JsonNode> processes(String id) throws IOException, InterruptedException {
        Optional<ResultsClient.Response> response =
                ask("/experiments/" + io.lem.aggregator.http.PathCodec.encodeSegment(id) + "/processes");
        List<JsonNode> processes = new ArrayList<>();
        if (response.isPresent()) {
            response.get().json().path("processes").forEach(processes::add);
            return processes;
        }
        Path dir = options.resultsDir.resolve("raw").resolve(id);
        if (!Files.isDirectory(dir)) {
            throw new UserError("no raw results of '" + id + "': no aggregator answers at " + options.url
                    + " and there is no " + dir, ExitCodes.FAILED);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                Matcher m = PROCESS_FILE.matcher(file.getFileName().toString());
                if (m.matches() && !m.group(1).equals("-1")) {
                    processes.add(read(file));
                }
            }
        }
        processes.sort((a, b) -> Integer.compare(a.path("process_index").asInt(), b.path("process_index").asInt()));
        return processes;
    }

    /** The aggregator's answer; empty when none answers (then files are used). 404 and others become errors. */
    private Optional<ResultsClient.Response> ask(String path) throws IOException, InterruptedException {
        if (Boolean.FALSE.equals(live)) {
            return Optional.empty();
        }
        ResultsClient.Response response;
        try {
            response = client.getPatiently(path, PATIENCE);
        } catch (IOException e) {
            if (!(e instanceof ConnectException || e instanceof HttpConnectTimeoutException
                    || e.getCause() instanceof ConnectException)) {
                throw e;
            }
            live = false;
            return Optional.empty();
        }
        live = true;
        if (response.status() == 404) {
            throw new UserError(response.json().path("error").asText("not found: " + path), ExitCodes.FAILED);
        }
        if (response.status() == 401) {
            throw new UserError("the aggregator at " + options.url + " wants a bearer token: set "
                    + options.tokenEnv, ExitCodes.INVALID_INPUT);
        }
        if (!response.ok()) {
            throw new UserError("the aggregator at " + options.url + " answered " + response.status() + ": "
                    + response.json().path("error").asText(response.body()), ExitCodes.FAILED);
        }
        return Optional.of(response);
    }

    private static JsonNode read(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UserError(file + ": not a results file: " + e.getMessage().lines().findFirst().orElse(""),
                    ExitCodes.FAILED);
        }
    }

    /** The listing row of an exported experiment: the same fields the aggregator lists. */
    private static JsonNode listRow(JsonNode experiment) {
        ObjectNode row = JSON.createObjectNode();
        for (String field : new String[]{"experiment_id", "config_name", "model_name", "status", "processes_seen",
                "num_processes", "output_tokens", "total_energy_j", "energy_per_output_token_j", "started_at"}) {
            if (experiment.has(field)) {
                row.set(field, experiment.get(field));
            }
        }
        return row;
    }
}
