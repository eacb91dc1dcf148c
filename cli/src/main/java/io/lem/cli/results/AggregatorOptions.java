package io.lem.cli.results;

import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;

/** Where results come from: the aggregator's HTTP API, else exported files. */
public final class AggregatorOptions {

    public static final String DEFAULT_URL = "http://127.0.0.1:7070";

    @Option(names = "--aggregator-url", paramLabel = "URL", defaultValue = DEFAULT_URL,
            description = "Aggregator to query (default: ${DEFAULT-VALUE}, the one 'lem serve' starts).")
    URI url;

    @Option(names = "--token-env", paramLabel = "VAR", defaultValue = "LEM_AGGREGATOR_TOKEN",
            description = "Environment variable holding the aggregator's bearer token, if it needs one"
                    + " (default: ${DEFAULT-VALUE}).")
    String tokenEnv;

    @Option(names = "--results-dir", paramLabel = "DIR", defaultValue = "results",
            description = "Exported results (results/aggregated, results/raw), used when no aggregator answers"
                    + " (default: ${DEFAULT-VALUE}).")
    Path resultsDir;

    String token() {
        String token = System.getenv(tokenEnv);
        return token == null || token.isBlank() ? null : token;
    }
}
