package io.lem.aggregator.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.lem.aggregator.model.ExperimentSummary;
import io.lem.aggregator.model.ProcessSummary;
import io.lem.aggregator.model.ResultsJson;
import io.lem.aggregator.topology.LemStores;

import java.util.List;
import java.util.Map;

/** The one place the query server touches the topology's stores and model: store names, JSON, metric values. */
final class Results {
    static final String PROCESS_STORE = LemStores.PROCESS_SUMMARIES;
    static final String EXPERIMENT_STORE = LemStores.EXPERIMENT_SUMMARIES;

    static final String ENERGY = "lem_experiment_energy_joules";
    static final String OUTPUT_TOKENS = "lem_experiment_output_tokens";
    static final String JOULES_PER_TOKEN = "lem_experiment_joules_per_output_token";

    private Results() {
    }

    static Map<String, Object> processJson(Object processSummary) {
        return ResultsJson.process((ProcessSummary) processSummary);
    }

    static Map<String, Object> experimentJson(Object experimentSummary) {
        return ResultsJson.experiment((ExperimentSummary) experimentSummary);
    }

    static Map<String, Object> listRowJson(Object experimentSummary) {
        return ResultsJson.listRow((ExperimentSummary) experimentSummary);
    }

    /** The experiment id of a list row another instance sent. */
    static String listRowId(JsonNode row) {
        return row.path("experiment_id").asText();
    }

    /** The runner process indexes an experiment holds (the launcher, index -1, is not a process of the list). */
    static List<Integer> processIndexes(Object experimentSummary) {
        return ((ExperimentSummary) experimentSummary).processes().stream().map(ProcessSummary::processIndex)
                .sorted().toList();
    }

    static void declareExperimentMetrics(PrometheusText text) {
        text.declare(ENERGY, "Energy of the experiment so far (every device counted once, idle baseline not "
                + "subtracted), joules; experiments whose partitions this instance owns", "gauge");
        text.declare(OUTPUT_TOKENS, "Generated tokens of the experiment so far (measured batches)", "gauge");
        text.declare(JOULES_PER_TOKEN, "Energy per generated token, joules", "gauge");
    }

    /** The gauges of one experiment, from the same figures as its list row; an unmeasured figure has no sample. */
    static void experimentMetrics(PrometheusText text, String experimentId, Object experimentSummary) {
        ExperimentSummary e = (ExperimentSummary) experimentSummary;
        if (e.isEmpty()) {
            return;
        }
        Map<String, Object> row = ResultsJson.listRow(e);
        number(row.get("total_energy_j")).ifPresent(v -> text.gauge(ENERGY, null, v, "experiment", experimentId));
        number(row.get("output_tokens")).ifPresent(v -> text.gauge(OUTPUT_TOKENS, null, v, "experiment",
                experimentId));
        number(row.get("energy_per_output_token_j")).ifPresent(v -> text.gauge(JOULES_PER_TOKEN, null, v,
                "experiment", experimentId));
    }

    private static java.util.Optional<Double> number(Object v) {
        return v instanceof Number n ? java.util.Optional.of(n.doubleValue()) : java.util.Optional.empty();
    }
}
