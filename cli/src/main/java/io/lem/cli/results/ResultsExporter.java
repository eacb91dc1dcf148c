package io.lem.cli.results;

import com.fasterxml.jackson.databind.JsonNode;
import io.lem.aggregator.http.PathCodec;
import io.lem.aggregator.http.ResultsClient;
import io.lem.cli.ExitCodes;
import io.lem.cli.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/** Writes an experiment's results in the original tool's layout: {@code raw/EXP/process_N.json}, {@code aggregated/EXP.json}. */
public final class ResultsExporter {

    private final ResultsClient client;
    private final Path resultsDir;

    public ResultsExporter(ResultsClient client, Path resultsDir) {
        this.client = client;
        this.resultsDir = resultsDir;
    }

    public Path aggregatedFile(String id) {
        return resultsDir.resolve("aggregated").resolve(id + ".json");
    }

    public Path rawDir(String id) {
        return resultsDir.resolve("raw").resolve(id);
    }

    /** Exports one experiment; returns the number of process files written. */
    public int export(String id) throws IOException, InterruptedException {
        ResultsClient.Response experiment = ok(client.getPatiently("/experiments/" + PathCodec.encodeSegment(id),
                Duration.ofSeconds(30)), id);
        ResultsClient.Response processes = ok(client.getPatiently("/experiments/" + PathCodec.encodeSegment(id)
                + "/processes", Duration.ofSeconds(30)), id);
        Path raw = rawDir(id);
        Files.createDirectories(raw);
        int count = 0;
        for (JsonNode process : processes.json().path("processes")) {
            write(raw.resolve("process_" + process.path("process_index").asInt() + ".json"),
                    ResultsCommand.JSON.writeValueAsString(process));
            count++;
        }
        Path aggregated = aggregatedFile(id);
        Files.createDirectories(aggregated.getParent());
        write(aggregated, ResultsCommand.JSON.writeValueAsString(experiment.json()));
        return count;
    }

    static ResultsClient.Response ok(ResultsClient.Response response, String id) {
        if (response.status() == 404) {
            throw new UserError("no experiment '" + id + "' in the aggregator's stores", ExitCodes.FAILED);
        }
        if (!response.ok()) {
            throw new UserError("the aggregator answered " + response.status() + " for " + id + ": "
                    + response.json().path("error").asText(response.body()), ExitCodes.FAILED);
        }
        return response;
    }

    /** Writes through a temporary file so a reader never sees half a result. */
    private static void write(Path file, String json) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, json + System.lineSeparator());
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
