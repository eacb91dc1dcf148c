package io.lem.cli.results;

import io.lem.aggregator.http.ResultsClient;
import io.lem.cli.ExitCodes;
import io.lem.cli.UserError;
import io.lem.cli.kafka.KafkaOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lem aggregate}: export results in the original tool's layout. */
@Command(name = "aggregate", mixinStandardHelpOptions = true,
        description = {"Write results/raw/EXP/process_N.json and results/aggregated/EXP.json (the original tool's",
                "layout) from the aggregator's stores. With no aggregator answering, the event topic is",
                "re-aggregated for the occasion. Existing files are kept unless --force."})
public final class AggregateCommand implements Callable<Integer> {

    static final class Selection {
        @Parameters(paramLabel = "EXP", arity = "1..*", description = "Experiment ids.")
        List<String> ids;

        @Option(names = "--all", required = true, description = "Every experiment.")
        boolean all;
    }

    @Spec
    CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    Selection selection;

    @Option(names = "--force", description = "Overwrite results already exported.")
    boolean force;

    @Mixin
    AggregatorOptions options;

    @Mixin
    KafkaOptions kafka;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        ResultsClient client = new ResultsClient(options.url, options.token(), Duration.ofSeconds(10));
        TopicAggregation aggregation = null;
        try {
            if (!answers(client)) {
                spec.commandLine().getErr().println("lem: no aggregator answers at " + options.url
                        + "; re-aggregating the event topic for this export");
                spec.commandLine().getErr().flush();
                aggregation = TopicAggregation.run(kafka, null, "127.0.0.1", 0);
                client = new ResultsClient(aggregation.replay().httpUrl(), null, Duration.ofSeconds(10));
            }
            List<String> ids = selection.all ? allIds(client) : selection.ids;
            int written = 0;
            for (String id : ids) {
                written += export(out, client, id) ? 1 : 0;
            }
            out.printf("%d experiment(s) exported to %s%n", written, options.resultsDir);
            out.flush();
            return ExitCodes.OK;
        } finally {
            if (aggregation != null) {
                aggregation.close();
            }
        }
    }

    private boolean export(PrintWriter out, ResultsClient client, String id) throws IOException, InterruptedException {
        ResultsExporter exporter = new ResultsExporter(client, options.resultsDir);
        Path aggregated = exporter.aggregatedFile(id);
        if (Files.exists(aggregated) && !force) {
            out.println(id + ": already exported (" + aggregated + "); --force overwrites");
            return false;
        }
        int count = exporter.export(id);
        out.println(id + ": " + aggregated + " and " + count + " process file(s) in " + exporter.rawDir(id));
        return true;
    }

    private static List<String> allIds(ResultsClient client) throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        ResultsExporter.ok(client.getPatiently("/experiments", Duration.ofSeconds(30)), "(list)").json().path("experiments")
                .forEach(row -> ids.add(row.path("experiment_id").asText()));
        return ids;
    }

    public static boolean answers(ResultsClient client) throws InterruptedException {
        try {
            client.health();
            return true;
        } catch (IOException e) {
            if (e instanceof ConnectException || e.getCause() instanceof ConnectException
                    || e instanceof java.net.http.HttpConnectTimeoutException) {
                return false;
            }
            throw new UserError("cannot query the aggregator: " + e.getMessage(), ExitCodes.FAILED);
        }
    }
}
