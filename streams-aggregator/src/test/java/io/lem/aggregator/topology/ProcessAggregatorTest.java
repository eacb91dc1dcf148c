package io.lem.aggregator.topology;

import io.lem.aggregator.model.ProcessScript;
import io.lem.api.event.LemEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fused per-process aggregator with its in-memory summaries: what it commits is in the process store, what it
 * forwards is what the store holds, and what it evicts from memory comes back from the store. (Restarts on the same
 * state are covered by {@code CrashRecoveryTest}: the test driver wipes its state when it closes.)
 */
class ProcessAggregatorTest {
    private static final long MS = 1_000_000L;
    private static final String EXP = "exp-fused";

    private static List<LemEvent> runner(int index) {
        ProcessScript p = new ProcessScript(EXP, index, "node-" + index, ProcessScript.T0);
        p.processStarted(2, "gpu:GPU-" + index);
        for (int b = 0; b < 4; b++) {
            p.batch(b, b == 0, 2, 10, 10 * MS, 5 * MS, 5 * MS, 5 * MS);
        }
        p.energy("gpu:GPU-" + index, "counter", "run", 100 + index, 80 * MS);
        p.completed();
        return p.events();
    }

    private static List<LemEvent> experiment() {
        ProcessScript launcher = ProcessScript.launcher(EXP);
        launcher.experimentStarted(2, Map.of());
        List<LemEvent> all = new ArrayList<>(launcher.events());
        List<LemEvent> a = runner(0);
        List<LemEvent> b = runner(1);
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) { // interleaved, as two processes would write
            if (i < a.size()) {
                all.add(a.get(i));
            }
            if (i < b.size()) {
                all.add(b.get(i));
            }
        }
        return all;
    }

    @Test
    void afterEveryCommitTheExperimentHoldsExactlyWhatTheProcessStoreHolds(@TempDir Path dir) {
        try (Harness h = new Harness(dir)) {
            for (LemEvent e : experiment()) {
                h.send(e); // the test driver commits after every record
                if (e.envelope().processIndex() < 0) {
                    continue;
                }
                int index = e.envelope().processIndex();
                byte[] stored = h.process(EXP, index).toBytes();
                byte[] forwarded = h.experiment(EXP).process(index).orElseThrow().toBytes();
                assertThat(forwarded).isEqualTo(stored);
                assertThat(h.process(EXP, index).lastSeq()).isEqualTo(e.envelope().seq());
            }
            assertThat(h.results(EXP).get("status")).isEqualTo("completed");
        }
    }

    @Test
    void summariesEvictedFromMemoryAreReadBackFromTheStore(@TempDir Path dir) {
        int keys = LemTopology.CACHED_SUMMARIES_PER_TASK + 30; // one task here: more keys than it keeps in memory
        List<ProcessScript> scripts = new ArrayList<>();
        try (Harness h = new Harness(dir)) {
            for (int i = 0; i < keys; i++) {
                ProcessScript p = new ProcessScript("exp-many-" + i, 0, "node", ProcessScript.T0);
                scripts.add(p);
                h.send(p.processStarted(1));
            }
            for (ProcessScript p : scripts) { // the first keys were evicted meanwhile
                h.send(p.completed());
            }
            for (int i = 0; i < keys; i++) {
                String id = "exp-many-" + i;
                assertThat(h.process(id, 0).events()).as(id).isEqualTo(2);
                assertThat(h.process(id, 0).missingSeqCount()).as(id).isZero();
                assertThat(h.experiment(id).process(0).orElseThrow().toBytes()).as(id)
                        .isEqualTo(h.process(id, 0).toBytes());
            }
        }
    }

    /** The application runs with {@code max.task.idle.ms=-1}: sound only while no task reads two partitions. */
    @Test
    void everySubTopologyReadsExactlyOneTopic() {
        var description = LemTopology.build(AggregatorConfig.defaults()).describe();
        assertThat(description.subtopologies()).hasSize(2);
        for (var sub : description.subtopologies()) {
            var sources = sub.nodes().stream()
                    .filter(n -> n instanceof org.apache.kafka.streams.TopologyDescription.Source)
                    .map(n -> ((org.apache.kafka.streams.TopologyDescription.Source) n).topicSet())
                    .toList();
            assertThat(sources).as(sub.toString()).hasSize(1);
            assertThat(sources.get(0)).as(sub.toString()).hasSize(1);
        }
    }
}
