package io.lem.aggregator.model;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.LemEvent;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.lem.aggregator.model.ProcessScript.T0;
import static org.assertj.core.api.Assertions.assertThat;

/** Every field the results can contain is documented in the module README (the results reference). */
class ResultFieldsDocumentedTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private static ProcessSummary fold(List<LemEvent> events) {
        ProcessSummary s = new ProcessSummary();
        for (LemEvent e : events) {
            s.apply(new DecodeResult.Known(e, List.of()));
        }
        return s;
    }

    @Test
    void everyResultFieldIsInTheReadme() throws IOException {
        Path readme = Path.of("README.md");
        assertThat(readme).exists();
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("`([a-z][a-z0-9_]*)`").matcher(Files.readString(readme));
        while (m.find()) {
            documented.add(m.group(1));
        }

        ProcessScript l = ProcessScript.launcher("exp_doc");
        l.experimentStarted(2, Map.of("energy", Map.of("carbon_region", "FR")));
        l.experimentCompleted("completed", 2, 0);
        ExperimentSummary e = new ExperimentSummary().withProcess(fold(l.events()));
        for (int i = 0; i < 2; i++) {
            ProcessScript p = new ProcessScript("exp_doc", i, "node-" + i, T0);
            p.processStarted(2, "gpu:GPU-" + i);
            p.energy("gpu:GPU-" + i, "counter", "idle-baseline", 50, 10 * S, 0.1);
            p.batch(0, true, 2, 10, 10 * MS, 5 * MS);
            p.batch(1, false, 2, 10, 10 * MS, 5 * MS);
            p.flops("parameter", 1, 100, 14);
            p.memory("gpu:GPU-" + i, 1 << 20, 2 << 20);
            p.power("gpu:GPU-" + i, 100);
            p.energy("gpu:GPU-" + i, "counter", "batch-1", 10, 20 * MS);
            p.energy("gpu:GPU-" + i, "counter", "run", 100, 20 * MS, 0.2);
            p.energy("gpu:GPU-" + i, "model", "run", 90, 20 * MS, 0.2);
            p.energy("cpu:node:package-0", "counter", "run", 10, 20 * MS, 0.2);
            p.energy("dram:node:0", "counter", "run", 10, 20 * MS, 0.2);
            p.energy("ram-model:node", "model", "run", 10, 20 * MS, 0.2);
            p.energy("fpga:x", "model", "run", 1, 20 * MS, 0.2);
            if (i == 0) {
                p.skip();
                p.completed();
            } else {
                p.failed("boom");
            }
            ProcessSummary s = fold(p.events());
            s.apply(new DecodeResult.Unknown("Future", p.envelope(), "{}"));
            e.withProcess(s);
        }
        Set<String> fields = new TreeSet<>();
        fields.addAll(ResultsJson.experiment(e).keySet());
        fields.addAll(ResultsJson.listRow(e).keySet());
        for (ProcessSummary p : e.processes()) {
            fields.addAll(ResultsJson.process(p).keySet());
        }
        fields.addAll(ResultsJson.process(e.launcher().orElseThrow()).keySet());
        Map<String, Object> experiment = ResultsJson.experiment(e);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> devices = (Map<String, Map<String, Object>>) experiment.get("energy_by_device");
        devices.values().forEach(d -> fields.addAll(d.keySet()));

        assertThat(experiment.get("status")).isEqualTo("failed");
        assertThat(documented).containsAll(fields);
    }
}
