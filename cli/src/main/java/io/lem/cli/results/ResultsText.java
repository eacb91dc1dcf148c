package io.lem.cli.results;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Human-readable renderings of the results JSON (the JSON stays the reference: {@code --json}). */
public final class ResultsText {
    private ResultsText() {
    }

    static void list(PrintWriter out, JsonNode rows) {
        out.printf("%-34s %-18s %-28s %-10s %9s %10s %12s %10s  %s%n", "ID", "NAME", "MODEL", "STATUS", "PROCESSES",
                "OUT TOKENS", "ENERGY J", "J/TOKEN", "STARTED");
        for (JsonNode r : rows) {
            out.printf("%-34s %-18s %-28s %-10s %9s %10s %12s %10s  %s%n", text(r, "experiment_id"),
                    clip(text(r, "config_name"), 18), clip(text(r, "model_name"), 28), text(r, "status"),
                    r.path("processes_seen").asInt() + "/" + (r.has("num_processes") ? r.get("num_processes").asText()
                            : "?"), text(r, "output_tokens"), number(r, "total_energy_j", "%.2f"),
                    number(r, "energy_per_output_token_j", "%.4f"), text(r, "started_at"));
        }
    }

    /**
     * The processes of an experiment that is over (the launcher ended it) whose streams have no end event: a runner
     * killed outright (SIGKILL, the OOM killer) records neither completion nor failure, and "0 failed" alone would
     * hide it.
     */
    private static String unended(JsonNode e) {
        if (!e.has("launcher_status") || !e.has("num_processes")) {
            return "";
        }
        int ended = e.path("processes_completed").asInt() + e.path("processes_failed").asInt()
                + e.path("processes_cancelled").asInt();
        int unended = e.get("num_processes").asInt() - ended;
        return unended > 0 ? ", " + unended + " without an end (killed?)" : "";
    }

    public static void experiment(PrintWriter out, JsonNode e) {
        out.printf("experiment   %s  (%s, model %s)%n", text(e, "experiment_id"), text(e, "config_name"),
                text(e, "model_name"));
        out.printf("status       %s: %s of %s processes completed, %s failed%s%s; %s events, %s duplicates dropped%s%n",
                text(e, "status"), text(e, "processes_completed"), text(e, "num_processes"),
                text(e, "processes_failed"), e.path("processes_cancelled").asInt() > 0
                        ? ", " + e.get("processes_cancelled").asInt() + " cancelled" : "", unended(e),
                text(e, "events"), text(e, "duplicates_dropped"),
                e.path("missing_seq").size() > 0 ? ", missing seq " + e.get("missing_seq") : "");
        if (e.path("experiment_id_reused_by").size() > 0) {
            List<String> who = new ArrayList<>();
            for (JsonNode index : e.get("experiment_id_reused_by")) {
                who.add(index.asInt() < 0 ? "the launcher" : "process " + index.asInt());
            }
            out.printf("             note: a later run used this experiment id again (%s); only the first run is "
                    + "counted, the later run's %s events were ignored: give every run its own id%n",
                    String.join(", ", who), text(e, "later_run_events_ignored"));
        }
        out.printf("tokens       input %s, output %s, total %s in %s batches (%s warm-up not measured)%n",
                text(e, "input_tokens"), text(e, "output_tokens"), text(e, "total_tokens"), text(e, "batches"),
                text(e, "warmup_batches"));
        out.printf("throughput   %s tokens/s over %s s (one window from the first start to the last end)%n",
                number(e, "tokens_per_second", "%.2f"), number(e, "wall_time_s", "%.3f"));
        out.printf("latency      TTFT p50 %s p90 %s p99 %s ms; inter-token p50 %s p90 %s p99 %s ms; mean per token %s ms%n",
                number(e.path("ttft_ms"), "p50", "%.2f"), number(e.path("ttft_ms"), "p90", "%.2f"),
                number(e.path("ttft_ms"), "p99", "%.2f"), number(e.path("itl_ms"), "p50", "%.2f"),
                number(e.path("itl_ms"), "p90", "%.2f"), number(e.path("itl_ms"), "p99", "%.2f"),
                number(e, "latency_per_token_ms", "%.3f"));
        StringBuilder parts = new StringBuilder();
        for (String category : List.of("gpu", "cpu", "dram", "ram")) {
            if (e.has(category + "_energy_j")) {
                parts.append(String.format(", %s %.3f J [%s]", category, e.get(category + "_energy_j").asDouble(),
                        text(e, category + "_energy_method")));
            }
        }
        out.printf("energy       total %s J [%s]%s%n", number(e, "total_energy_j", "%.3f"),
                text(e, "total_energy_method"), parts);
        out.printf("             %s J per output token, %s tokens per kWh%s%n",
                number(e, "energy_per_output_token_j", "%.5f"), number(e, "tokens_per_kwh", "%.0f"),
                e.has("idle_energy_j") ? String.format("; idle baseline %.3f J, above idle %.3f J",
                        e.get("idle_energy_j").asDouble(), e.path("energy_above_idle_j").asDouble()) : "");
        for (JsonNode key : e.path("energy_partial_devices")) {
            JsonNode device = e.path("energy_by_device").path(key.asText());
            out.printf("             note: %s was measured over %.0f %% of the measured window only; what it drew "
                    + "outside its window is not counted%n", key.asText(),
                    100 * device.path("window_coverage").asDouble());
        }
        if (e.has("emissions_kg_co2")) {
            out.printf("emissions    %.6g kg CO2e (%s at %s g/kWh, %s %s, PUE %s)%n",
                    e.get("emissions_kg_co2").asDouble(), text(e, "carbon_region"),
                    text(e, "carbon_intensity_g_per_kwh"), text(e, "carbon_intensity_source"),
                    text(e, "carbon_intensity_year"), text(e, "pue"));
        } else {
            out.printf("emissions    unavailable: %s%n", text(e, "emissions_unavailable_reason"));
        }
        if (e.has("flops_total")) {
            out.printf("flops        %.4e total, %.4e per token [%s]%n", e.get("flops_total").asDouble(),
                    e.path("flops_per_token").asDouble(), text(e, "flops_method"));
            for (Iterator<Map.Entry<String, JsonNode>> it = e.path("flops_by_method").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> m = it.next();
                out.printf("             %-20s %.4e (%.4e per token)%n", m.getKey(), m.getValue().path("flops")
                        .asDouble(), m.getValue().path("flops_per_token").asDouble());
            }
        }
        out.printf("memory       peak %s MB%n", number(e, "peak_memory_mb", "%.1f"));
        if (e.has("duplicate_device_keys")) {
            out.println("note         device keys reported by several processes were counted once: "
                    + e.get("duplicate_device_keys"));
        }
        out.printf("%n%-8s %-10s %-20s %8s %11s %12s %12s%n", "PROCESS", "STATUS", "HOST", "BATCHES", "OUT TOKENS",
                "TOKENS/S", "ENERGY J");
        for (JsonNode p : e.path("processes")) {
            out.printf("%-8s %-10s %-20s %8s %11s %12s %12s%n", text(p, "process_index"), text(p, "status"),
                    clip(text(p, "host"), 20), text(p, "batches"), text(p, "output_tokens"),
                    number(p, "tokens_per_second", "%.2f"), number(p, "energy_j", "%.3f"));
        }
    }

    static void compare(PrintWriter out, List<JsonNode> experiments) {
        String[][] rows = {
                {"status", "status", "%s"}, {"model", "model_name", "%s"}, {"processes", "processes_seen", "%s"},
                {"output tokens", "output_tokens", "%s"}, {"tokens/s", "tokens_per_second", "%.2f"},
                {"TTFT p50 ms", "ttft_ms.p50", "%.2f"}, {"ITL p50 ms", "itl_ms.p50", "%.2f"},
                {"latency/token ms", "latency_per_token_ms", "%.3f"}, {"total energy J", "total_energy_j", "%.3f"},
                {"gpu energy J", "gpu_energy_j", "%.3f"}, {"cpu energy J", "cpu_energy_j", "%.3f"},
                {"ram energy J", "ram_energy_j", "%.3f"}, {"J/output token", "energy_per_output_token_j", "%.5f"},
                {"tokens/kWh", "tokens_per_kwh", "%.0f"}, {"kg CO2e", "emissions_kg_co2", "%.6g"},
                {"FLOPs/token", "flops_per_token", "%.4e"}, {"peak memory MB", "peak_memory_mb", "%.1f"}};
        out.printf("%-18s", "");
        for (JsonNode e : experiments) {
            out.printf(" %26s", clip(text(e, "experiment_id"), 26));
        }
        out.println();
        for (String[] row : rows) {
            out.printf("%-18s", row[0]);
            for (JsonNode e : experiments) {
                JsonNode node = e;
                String field = row[1];
                if (field.contains(".")) {
                    node = e.path(field.substring(0, field.indexOf('.')));
                    field = field.substring(field.indexOf('.') + 1);
                }
                out.printf(" %26s", clip(row[2].equals("%s") ? text(node, field) : number(node, field, row[2]), 26));
            }
            out.println();
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? "-" : v.isTextual() ? v.asText() : v.toString();
    }

    private static String number(JsonNode node, String field, String format) {
        JsonNode v = node.get(field);
        return v == null || !v.isNumber() ? "-" : String.format(format, v.asDouble());
    }

    private static String clip(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
}
