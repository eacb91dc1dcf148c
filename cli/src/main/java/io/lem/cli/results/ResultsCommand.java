package io.lem.cli.results;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lem.cli.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** {@code lem results list|show|compare}. */
@Command(name = "results", mixinStandardHelpOptions = true,
        description = {"Experiment results from the aggregator ('lem serve'), or from exported files",
                "('lem aggregate') when no aggregator answers."},
        synopsisSubcommandLabel = "COMMAND")
public final class ResultsCommand {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every experiment: id, name, model, status, processes, output tokens, energy, J/token, start.")
    int list(@Mixin AggregatorOptions options,
             @Option(names = "--json", description = "Print JSON.") boolean json) throws Exception {
        ResultsSource source = new ResultsSource(options);
        ArrayNode rows = source.experiments();
        PrintWriter out = spec.commandLine().getOut();
        note(source);
        if (json) {
            out.println(JSON.writeValueAsString(rows));
        } else if (rows.isEmpty()) {
            out.println("no experiments yet");
        } else {
            ResultsText.list(out, rows);
        }
        out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "One experiment's aggregated results, or with --raw its per-process results.")
    int show(@Parameters(paramLabel = "EXP", description = "Experiment id.") String id,
             @Option(names = "--raw", description = "Per-process results instead of the aggregate.") boolean raw,
             @Option(names = "--json", description = "Print JSON.") boolean json,
             @Mixin AggregatorOptions options) throws Exception {
        ResultsSource source = new ResultsSource(options);
        PrintWriter out = spec.commandLine().getOut();
        if (raw) {
            List<JsonNode> processes = source.processes(id);
            note(source);
            if (json) {
                ObjectNode body = JSON.createObjectNode().put("experiment_id", id);
                body.putArray("processes").addAll(processes);
                out.println(JSON.writeValueAsString(body));
            } else {
                for (JsonNode p : processes) {
                    out.println(JSON.writeValueAsString(p));
                }
            }
        } else {
            ObjectNode experiment = source.experiment(id);
            note(source);
            if (json) {
                out.println(JSON.writeValueAsString(experiment));
            } else {
                ResultsText.experiment(out, experiment);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Key metrics of several experiments side by side.")
    int compare(@Parameters(paramLabel = "EXP", arity = "2..*", description = "Experiment ids.") List<String> ids,
                @Option(names = "--json", description = "Print JSON (the experiments' results in order).")
                boolean json,
                @Mixin AggregatorOptions options) throws Exception {
        ResultsSource source = new ResultsSource(options);
        List<JsonNode> experiments = new ArrayList<>();
        for (String id : ids) {
            experiments.add(source.experiment(id));
        }
        note(source);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JSON.writeValueAsString(experiments));
        } else {
            ResultsText.compare(out, experiments);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void note(ResultsSource source) {
        if (source.note() != null) {
            spec.commandLine().getErr().println("lem: " + source.note());
            spec.commandLine().getErr().flush();
        }
    }
}
