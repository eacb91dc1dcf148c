package io.lem.aggregator.topology;

import io.lem.aggregator.model.ExperimentSummary;
import io.lem.aggregator.model.ProcessScript;
import io.lem.aggregator.model.ResultsJson;
import io.lem.api.carbon.GridIntensity;
import io.lem.api.event.LemEvent;
import io.lem.api.event.ProcessFailed;
import io.lem.events.kafka.EventFrames;
import io.lem.plugins.carbon.CarbonTable;
import org.HdrHistogram.Histogram;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.lem.aggregator.model.ProcessScript.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class LemTopologyTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;
    private static final String EXP = "exp_20261128_070000_test";

    @TempDir
    Path stateDir;
    private Harness h;

    @BeforeEach
    void start() {
        h = new Harness(stateDir);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** A runner process with one GPU, one measured batch of 2 sequences x 4 tokens, a run energy reading. */
    private static ProcessScript runner(int index, long start, double gpuJoules) {
        ProcessScript p = new ProcessScript(EXP, index, "node-" + index, start);
        p.processStarted(2, "gpu:GPU-" + index);
        p.batch(0, false, 2, 10, 10 * MS, 5 * MS, 5 * MS, 5 * MS);
        p.energy("gpu:GPU-" + index, "counter", "run", gpuJoules, 25 * MS);
        p.completed();
        return p;
    }

    private static ProcessScript launcher(int numProcesses, Map<String, Object> config) {
        ProcessScript l = ProcessScript.launcher(EXP);
        l.experimentStarted(numProcesses, config);
        return l;
    }

    /** A nested value by dotted path (device keys contain ':' but never '.'). */
    @SuppressWarnings("unchecked")
    private static Object get(Map<String, Object> m, String path) {
        Object v = m;
        for (String part : path.split("\\.")) {
            v = ((Map<String, Object>) v).get(part);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> getMap(Map<String, Object> m, String path) {
        return (Map<String, Object>) get(m, path);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> getList(Map<String, Object> m, String path) {
        return (List<Map<String, Object>>) get(m, path);
    }

    // ---------------------------------------------------------------------------------------------- de-duplication

    @Test
    void sameSeqTwiceCountsOnce() {
        ProcessScript p = runner(0, T0, 100);
        h.send(launcher(1, Map.of()).events()).send(p.events());
        LemEvent batchCompleted = p.events().get(6);
        h.send(batchCompleted);

        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("output_tokens")).isEqualTo(8L);
        assertThat(r.get("batches")).isEqualTo(1L);
        assertThat(r.get("duplicates_dropped")).isEqualTo(1L);
        assertThat(h.process(EXP, 0).duplicates()).isEqualTo(1);
        assertThat(r.get("status")).isEqualTo("completed");
    }

    @Test
    void resentSpoolChangesNothingButTheDuplicateCount() {
        ProcessScript l = launcher(2, Map.of());
        ProcessScript p0 = runner(0, T0, 100);
        ProcessScript p1 = runner(1, T0 + S, 120);
        h.send(l.events()).send(p0.events()).send(p1.events());
        Map<String, Object> before = new LinkedHashMap<>(h.results(EXP));

        h.send(p0.events()).send(p1.events()); // the whole spool again
        Map<String, Object> after = new LinkedHashMap<>(h.results(EXP));

        assertThat(after.get("duplicates_dropped")).isEqualTo((long) p0.events().size() + p1.events().size());
        before.remove("duplicates_dropped");
        after.remove("duplicates_dropped");
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aLaterRunUnderTheSameIdIsFlaggedAndNotCounted() {
        ProcessScript l = launcher(1, Map.of());
        l.experimentCompleted("completed", 1, 0);
        h.send(l.events()).send(runner(0, T0, 100).events());
        Map<String, Object> first = new LinkedHashMap<>(h.results(EXP));
        assertThat(first.get("experiment_id_reused_by")).isEqualTo(List.of());

        // the same id again: a second launcher and a longer runner, whose seqs go past the first run's
        ProcessScript l2 = ProcessScript.launcher(EXP).run("again");
        l2.experimentStarted(1, Map.of());
        l2.experimentCompleted("failed", 1, 1);
        ProcessScript p2 = new ProcessScript(EXP, 0, "node-0", T0 + 60 * S).run("again");
        p2.processStarted(1, "gpu:GPU-0");
        for (int b = 0; b < 3; b++) {
            p2.batch(b, false, 2, 10, 10 * MS, 5 * MS, 5 * MS, 5 * MS);
        }
        p2.energy("gpu:GPU-0", "counter", "run", 900, 90 * MS);
        p2.completed();
        h.send(l2.events()).send(p2.events());

        Map<String, Object> r = new LinkedHashMap<>(h.results(EXP));
        assertThat(r.get("experiment_id_reused_by")).isEqualTo(List.of(-1, 0));
        assertThat(r.get("later_run_events_ignored")).isEqualTo((long) l2.events().size() + p2.events().size());
        assertThat(r.get("duplicates_dropped")).isEqualTo(0L);
        // everything else is the first run's: status, tokens, energy
        for (String field : List.of("experiment_id_reused_by", "later_run_events_ignored")) {
            r.remove(field);
            first.remove(field);
        }
        assertThat(r).isEqualTo(first);
        assertThat(r.get("output_tokens")).isEqualTo(8L);
        assertThat(r.get("status")).isEqualTo("completed");
    }

    // ---------------------------------------------------------------------------------------------- gaps and states

    @Test
    void missingSeqsAreReportedAsRanges() {
        ProcessScript p = runner(0, T0, 100);
        List<LemEvent> events = new ArrayList<>(p.events());
        events.remove(4); // seq 4
        events.remove(3); // seq 3
        h.send(launcher(1, Map.of()).events()).send(events);

        Map<String, Object> proc = h.processResults(EXP, 0);
        assertThat(proc.get("status")).isEqualTo("incomplete");
        assertThat(proc.get("missing_seq")).isEqualTo(List.of("3..4"));
        assertThat(proc.get("missing_seq_count")).isEqualTo(2L);
        Map<String, Object> r = h.results(EXP);
        assertThat(get(r, "missing_seq")).isEqualTo(Map.of("0", List.of("3..4")));
        assertThat(r.get("status")).isEqualTo("running"); // the launcher has not ended: the holes may still arrive

        h.send(p.events().get(3), p.events().get(4)); // the re-sent spool fills them
        r = h.results(EXP);
        assertThat(r.get("status")).isEqualTo("completed");
        assertThat(get(r, "missing_seq")).isEqualTo(Map.of());
        assertThat(r.get("late_events")).isEqualTo(2L);
    }

    @Test
    void failedProcessFailsTheExperiment() {
        ProcessScript l = launcher(2, Map.of());
        ProcessScript p0 = runner(0, T0, 100);
        ProcessScript p1 = new ProcessScript(EXP, 1, "node-1", T0);
        p1.processStarted(2, "gpu:GPU-1");
        p1.batch(0, false, 2, 10, 10 * MS, 5 * MS);
        p1.failed("CUDA out of memory");
        h.send(l.events()).send(p0.events()).send(p1.events());

        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("status")).isEqualTo("failed");
        assertThat(r.get("processes_failed")).isEqualTo(1);
        assertThat(get(r, "process_statuses")).isEqualTo(Map.of("0", "completed", "1", "failed"));
        Map<String, Object> proc = h.processResults(EXP, 1);
        assertThat(proc.get("status")).isEqualTo("failed");
        assertThat(proc.get("failure_reason")).isEqualTo("CUDA out of memory");
        // what it measured before failing stays valid
        assertThat(r.get("output_tokens")).isEqualTo(8L + 4L);
    }

    @Test
    void experimentEndedWithoutEveryProcessIsIncomplete() {
        ProcessScript l = launcher(3, Map.of());
        ProcessScript p0 = runner(0, T0, 100);
        ProcessScript p1 = new ProcessScript(EXP, 1, "node-1", T0);
        p1.processStarted(3, "gpu:GPU-1");
        p1.batch(0, false, 2, 10, 10 * MS, 5 * MS); // never completes
        h.send(l.events()).send(p0.events()).send(p1.events());
        assertThat(h.results(EXP).get("status")).isEqualTo("running");

        l.experimentCompleted("completed", 3, 0);
        h.send(l.events().get(1));
        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("status")).isEqualTo("incomplete");
        assertThat(r.get("num_processes")).isEqualTo(3);
        assertThat(r.get("processes_seen")).isEqualTo(2);
        assertThat(r.get("missing_processes")).isEqualTo(List.of(2));
        assertThat(get(r, "process_statuses")).isEqualTo(Map.of("0", "completed", "1", "incomplete"));
        assertThat(r.get("launcher_status")).isEqualTo("completed");
    }

    @Test
    void aProcessStoppedOnRequestIsCancelledNotFailed() {
        // lem runner stopped by SIGTERM on another host: no launcher says cancelled, the process does
        ProcessScript l = launcher(2, Map.of());
        ProcessScript p0 = runner(0, T0, 100);
        ProcessScript p1 = new ProcessScript(EXP, 1, "node-1", T0);
        p1.processStarted(2, "gpu:GPU-1");
        p1.batch(0, false, 2, 10, 10 * MS, 5 * MS);
        p1.energy("gpu:GPU-1", "counter", "run", 50, 15 * MS);
        p1.failed(ProcessFailed.CANCELLED);
        h.send(l.events()).send(p0.events()).send(p1.events());

        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("status")).isEqualTo("cancelled");
        assertThat(r.get("processes_failed")).isEqualTo(0);
        assertThat(r.get("processes_cancelled")).isEqualTo(1);
        assertThat(get(r, "process_statuses")).isEqualTo(Map.of("0", "completed", "1", "cancelled"));
        assertThat(r.get("total_energy_j")).as("what it measured counts").isEqualTo(150.0);

        // a real failure elsewhere still makes the experiment failed
        ProcessScript p2 = new ProcessScript(EXP, 2, "node-2", T0);
        p2.processStarted(3);
        p2.failed("CUDA out of memory");
        h.send(p2.events());
        assertThat(h.results(EXP).get("status")).isEqualTo("failed");
    }

    @Test
    void cancelledExperiment() {
        ProcessScript l = launcher(1, Map.of());
        ProcessScript p = new ProcessScript(EXP, 0, "node-0", T0);
        p.processStarted(1, "gpu:GPU-0");
        p.failed("cancelled by the user");
        l.experimentCompleted("cancelled", 1, 1);
        h.send(l.events()).send(p.events());
        assertThat(h.results(EXP).get("status")).isEqualTo("cancelled");
    }

    @Test
    void completeExperimentNeedsEveryExpectedProcessWithoutGaps() {
        ProcessScript l = launcher(2, Map.of());
        h.send(l.events()).send(runner(0, T0, 100).events());
        assertThat(h.results(EXP).get("status")).isEqualTo("running");
        h.send(runner(1, T0, 100).events());
        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("status")).isEqualTo("completed");
        assertThat(r.get("processes_completed")).isEqualTo(2);
        assertThat(r.get("config_name")).isEqualTo("test-config");
        assertThat(r.get("model_name")).isEqualTo("lem-synthetic/tiny-llama");
    }

    @Test
    void launcherIsNotAProcess() {
        h.send(launcher(1, Map.of()).events()).send(runner(0, T0, 100).events());
        ExperimentSummary e = h.experiment(EXP);
        assertThat(e.processes()).hasSize(1);
        assertThat(e.launcher()).isPresent();
        Map<String, Object> r = ResultsJson.experiment(e);
        assertThat(r.get("processes_seen")).isEqualTo(1);
        assertThat((List<?>) r.get("processes")).hasSize(1);
        Map<String, Object> launcherJson = h.processResults(EXP, -1);
        assertThat(launcherJson.get("role")).isEqualTo("launcher");
        assertThat(launcherJson.get("num_processes")).isEqualTo(1);
    }

    // ---------------------------------------------------------------------------------------------- energy

    @Test
    void hostLevelDeviceKeyFromTwoProcessesIsCountedOnceAndFlagged() {
        ProcessScript p0 = runner(0, T0, 100);
        ProcessScript p1 = runner(1, T0, 200);
        // both processes (wrongly) run the host-level CPU meter of the same host
        p0.energy("cpu:node:package-0", "counter", "run", 50, 25 * MS);
        p1.energy("cpu:node:package-0", "counter", "run", 52, 26 * MS);
        h.send(launcher(2, Map.of()).events()).send(p0.events()).send(p1.events());

        Map<String, Object> r = h.results(EXP);
        assertThat((double) r.get("gpu_energy_j")).isEqualTo(300.0);
        assertThat((double) r.get("cpu_energy_j")).isEqualTo(52.0); // once: the longer window of the same method
        assertThat((double) r.get("total_energy_j")).isEqualTo(352.0);
        assertThat(r.get("total_energy_method")).isEqualTo("counter");
        List<Map<String, Object>> dups = getList(r, "duplicate_device_keys");
        assertThat(dups).hasSize(1);
        assertThat(dups.get(0).get("device_key")).isEqualTo("cpu:node:package-0");
        assertThat(dups.get(0).get("reported_by")).isEqualTo(List.of(0, 1));
        assertThat(dups.get(0).get("counted_from")).isEqualTo(1);
        assertThat((double) get(r, "energy_by_device.cpu:node:package-0.energy_j")).isEqualTo(52.0);
    }

    @Test
    void aDeviceMeasuredOverPartOfTheWindowIsFlaggedWithItsCoverage() {
        // the experiment's window is [T0, T0+20 s]; GPU-0's process measured [T0, T0+10 s], GPU-1's [T0+5, T0+20 s]
        ProcessScript p0 = new ProcessScript(EXP, 0, "node-0", T0);
        p0.processStarted(2, "gpu:GPU-0");
        p0.at(T0);
        p0.batch(0, false, 25, 10, 1 * S, 3 * S, 3 * S, 3 * S);
        p0.energy("gpu:GPU-0", "counter", "run", 1000, 10 * S);
        p0.energy("cpu:node-0:package-0", "counter", "run", 900, 20 * S); // a host meter over the whole window
        p0.completed();
        ProcessScript p1 = new ProcessScript(EXP, 1, "node-0", T0);
        p1.processStarted(2, "gpu:GPU-1");
        p1.at(T0 + 5 * S);
        p1.batch(0, false, 75, 10, 3 * S, 4 * S, 4 * S, 4 * S);
        p1.energy("gpu:GPU-1", "counter", "run", 1500, 15 * S);
        p1.completed();
        h.send(launcher(2, Map.of()).events()).send(p0.events()).send(p1.events());

        Map<String, Object> r = h.results(EXP);
        assertThat((double) r.get("wall_time_s")).isEqualTo(20.0);
        assertThat((double) get(r, "energy_by_device.gpu:GPU-0.window_coverage")).isEqualTo(0.5);
        assertThat((double) get(r, "energy_by_device.gpu:GPU-1.window_coverage")).isEqualTo(0.75);
        assertThat((double) get(r, "energy_by_device.cpu:node-0:package-0.window_coverage")).isEqualTo(1.0);
        assertThat(get(r, "energy_partial_devices")).asList().containsExactlyInAnyOrder("gpu:GPU-0", "gpu:GPU-1");
        // each process's own figures are against its own window, which its meters covered
        Map<String, Object> own = h.processResults(EXP, 0);
        assertThat((double) get(own, "energy_by_device.gpu:GPU-0.window_coverage")).isEqualTo(1.0);
        assertThat(own).doesNotContainKey("energy_partial_devices");
    }

    @Test
    void counterIsPreferredOverModelForTheSameDeviceAndEveryFigureNamesItsMethod() {
        ProcessScript p = runner(0, T0, 100);
        p.energy("gpu:GPU-0", "model", "run", 90, 25 * MS);
        p.energy("cpu:node-0:package-0", "model", "run", 30, 25 * MS);
        h.send(launcher(1, Map.of()).events()).send(p.events());
        Map<String, Object> r = h.results(EXP);
        assertThat((double) r.get("gpu_energy_j")).isEqualTo(100.0);
        assertThat(r.get("gpu_energy_method")).isEqualTo("counter");
        assertThat(r.get("cpu_energy_method")).isEqualTo("model");
        assertThat(r.get("total_energy_method")).isEqualTo("counter+model");
        assertThat(get(r, "energy_by_device.gpu:GPU-0.alternatives_j")).isEqualTo(Map.of("model", 90.0));
    }

    @Test
    void cumulativeRunReadingsSupersedeEachOtherAndBatchWindowsAreNotAdded() {
        ProcessScript p = new ProcessScript(EXP, 0, "node-0", T0);
        p.processStarted(1, "gpu:GPU-0");
        p.batch(0, false, 2, 10, 10 * MS, 5 * MS);
        p.energy("gpu:GPU-0", "counter", "batch-0", 40, 15 * MS);
        p.batch(1, false, 2, 10, 10 * MS, 5 * MS);
        p.energy("gpu:GPU-0", "counter", "batch-1", 45, 15 * MS);
        p.energy("gpu:GPU-0", "counter", "run", 50, 20 * MS); // a progress reading of the run window
        p.energy("gpu:GPU-0", "counter", "run", 85, 30 * MS); // the final one: supersedes, does not add
        p.completed();
        List<LemEvent> events = new ArrayList<>(p.events());
        Collections.swap(events, events.size() - 2, events.size() - 3); // the final reading arrives first
        h.send(launcher(1, Map.of()).events()).send(events);
        Map<String, Object> r = h.results(EXP);
        assertThat((double) r.get("total_energy_j")).isEqualTo(85.0);
        assertThat(h.processResults(EXP, 0).get("batch_energy_readings")).isEqualTo(2L);
    }

    @Test
    void ramModelIsSupersededByMeasuredDramOfTheSameHost() {
        ProcessScript p = runner(0, T0, 100);
        p.energy("dram:node-0:0", "counter", "run", 10, 25 * MS);
        p.energy("ram-model:node-0", "model", "run", 12, 25 * MS);
        h.send(launcher(1, Map.of()).events()).send(p.events());
        Map<String, Object> r = h.results(EXP);
        assertThat((double) r.get("ram_energy_j")).isEqualTo(10.0);
        assertThat(get(r, "superseded_device_keys")).isEqualTo(Map.of("ram-model:node-0", "dram:node-0:*"));
    }

    @Test
    void idleBaselineIsReportedAndSubtractedSeparately() {
        ProcessScript p = new ProcessScript(EXP, 0, "node-0", T0);
        p.processStarted(1, "gpu:GPU-0");
        p.energy("gpu:GPU-0", "counter", "idle-baseline", 50, 10 * S); // 5 W idle
        p.batch(0, false, 2, 10, 10 * MS, 5 * MS);
        p.energy("gpu:GPU-0", "counter", "run", 1000, 20 * S);
        p.completed();
        h.send(launcher(1, Map.of()).events()).send(p.events());
        Map<String, Object> r = h.results(EXP);
        assertThat((double) r.get("total_energy_j")).isEqualTo(1000.0); // not silently reduced
        assertThat((double) r.get("idle_energy_j")).isCloseTo(100.0, within(1e-9));
        assertThat((double) r.get("energy_above_idle_j")).isCloseTo(900.0, within(1e-9));
        assertThat((double) r.get("idle_power_w")).isCloseTo(5.0, within(1e-9));
        assertThat((double) get(r, "idle_by_device.gpu:GPU-0.idle_energy_j")).isCloseTo(100.0, within(1e-9));
    }

    @Test
    void emissionsUseRegionAndPueOfTheConfig() {
        GridIntensity fr = CarbonTable.builtIn().find("FR").orElseThrow();
        ProcessScript p = runner(0, T0, 3.6e6); // exactly 1 kWh
        h.send(launcher(1, Map.of("energy", Map.of("carbon_region", "FR", "pue", 1.5))).events()).send(p.events());
        Map<String, Object> r = h.results(EXP);
        assertThat((double) r.get("emissions_kg_co2")).isCloseTo(1.0 * 1.5 * fr.gramsCo2PerKwh() / 1000.0,
                within(1e-12));
        assertThat(r.get("carbon_region")).isEqualTo("FR");
        assertThat(r.get("pue")).isEqualTo(1.5);
        assertThat(r.get("carbon_intensity_g_per_kwh")).isEqualTo(fr.gramsCo2PerKwh());
        assertThat(r.get("carbon_intensity_source")).isEqualTo(fr.source());
        assertThat(r.get("carbon_intensity_year")).isEqualTo(fr.year());
        assertThat(r).doesNotContainKey("emissions_unavailable_reason");
        assertThat((double) r.get("tokens_per_kwh")).isCloseTo(8.0, within(1e-9));
    }

    @Test
    void defaultRegionIsWorldWithPueOne() {
        GridIntensity world = CarbonTable.builtIn().find("WORLD").orElseThrow();
        h.send(launcher(1, Map.of()).events()).send(runner(0, T0, 7.2e6).events());
        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("carbon_region")).isEqualTo("WORLD");
        assertThat(r.get("pue")).isEqualTo(1.0);
        assertThat((double) r.get("emissions_kg_co2")).isCloseTo(2.0 * world.gramsCo2PerKwh() / 1000.0,
                within(1e-12));
    }

    @Test
    void unknownRegionLeavesEmissionsAbsentWithAReason() {
        h.send(launcher(1, Map.of("energy", Map.of("carbon_region", "ATLANTIS"))).events())
                .send(runner(0, T0, 100).events());
        Map<String, Object> r = h.results(EXP);
        assertThat(r).doesNotContainKey("emissions_kg_co2");
        assertThat((String) r.get("emissions_unavailable_reason")).contains("unknown carbon region 'ATLANTIS'");
        assertThat((double) r.get("total_energy_j")).isEqualTo(100.0);
    }

    // ---------------------------------------------------------------------------------------------- inference

    @Test
    void throughputUsesOneWallClockWindowAcrossProcesses() {
        // process 0 measures [T0, T0+10 s] with 100 tokens, process 1 [T0+5 s, T0+20 s] with 300 tokens
        ProcessScript p0 = new ProcessScript(EXP, 0, "node-0", T0);
        p0.processStarted(2, "gpu:GPU-0");
        p0.at(T0);
        p0.batch(0, false, 25, 10, 1 * S, 3 * S, 3 * S, 3 * S); // 25 x 4 = 100 tokens, ends at T0+10 s
        p0.completed();
        ProcessScript p1 = new ProcessScript(EXP, 1, "node-1", T0);
        p1.processStarted(2, "gpu:GPU-1");
        p1.at(T0 + 5 * S);
        p1.batch(0, false, 75, 10, 3 * S, 4 * S, 4 * S, 4 * S); // 75 x 4 = 300 tokens, ends at T0+20 s
        p1.completed();
        h.send(launcher(2, Map.of()).events()).send(p0.events()).send(p1.events());

        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("output_tokens")).isEqualTo(400L);
        assertThat((double) r.get("wall_time_s")).isEqualTo(20.0);
        assertThat((double) r.get("tokens_per_second")).isEqualTo(20.0); // not (10 + 20) / 2, not 10 + 20
        assertThat((double) h.processResults(EXP, 0).get("tokens_per_second")).isEqualTo(10.0);
        assertThat((double) h.processResults(EXP, 1).get("tokens_per_second")).isEqualTo(20.0);
        assertThat(r.get("total_tokens")).isEqualTo(420L);
    }

    @Test
    void latencyPercentilesOfMergedHistogramsEqualThoseOfAllValues() {
        Random random = new Random(42);
        Histogram all = new Histogram(3);
        List<ProcessScript> scripts = new ArrayList<>();
        for (int proc = 0; proc < 3; proc++) {
            ProcessScript p = new ProcessScript(EXP, proc, "node-" + proc, T0);
            p.processStarted(3, "gpu:GPU-" + proc);
            for (int b = 0; b < 4; b++) {
                long[] steps = new long[60 + random.nextInt(40)];
                for (int s = 0; s < steps.length; s++) {
                    // a different distribution per process: merged percentiles differ from any one process's
                    steps[s] = (proc + 1) * 2 * MS + (long) (random.nextDouble() * (proc + 1) * 20 * MS);
                    all.recordValueWithCount((steps[s] + 500) / 1000, 3);
                }
                p.batch(b, false, 3, 10, 30 * MS, steps);
            }
            p.completed();
            scripts.add(p);
        }
        h.send(launcher(3, Map.of()).events());
        for (ProcessScript p : scripts) {
            h.send(p.events());
        }
        Map<String, Object> itl = getMap(h.results(EXP), "itl_ms");
        assertThat(itl.get("count")).isEqualTo(all.getTotalCount());
        assertThat((double) itl.get("p50")).isEqualTo(all.getValueAtPercentile(50) / 1e3);
        assertThat((double) itl.get("p90")).isEqualTo(all.getValueAtPercentile(90) / 1e3);
        assertThat((double) itl.get("p99")).isEqualTo(all.getValueAtPercentile(99) / 1e3);
        assertThat((double) itl.get("mean")).isCloseTo(all.getMean() / 1e3, within(0.01));
        assertThat((double) h.results(EXP).get("latency_per_token_ms")).isEqualTo((double) itl.get("mean"));
        Map<String, Object> ttft = getMap(h.results(EXP), "ttft_ms");
        assertThat(ttft.get("count")).isEqualTo(12L);
        // percentiles are HdrHistogram values: the highest value equivalent to 30 ms at 3 significant digits
        assertThat((double) ttft.get("p50")).isCloseTo(30.0, within(0.03));
        assertThat((double) ttft.get("mean")).isEqualTo(30.0); // mean, min and max are exact
    }

    @Test
    void warmupBatchesAreExcludedFromMeasuredTotals() {
        ProcessScript p = new ProcessScript(EXP, 0, "node-0", T0);
        p.processStarted(1, "gpu:GPU-0");
        List<LemEvent> warm = p.batch(0, true, 2, 10, 900 * MS, 500 * MS, 500 * MS);
        p.flops("parameter", 0, 1000, 16);
        p.batch(1, false, 2, 10, 10 * MS, 5 * MS, 5 * MS);
        p.flops("parameter", 1, 2000, 16);
        p.completed();
        List<LemEvent> events = new ArrayList<>(p.events());
        // the warm-up batch's BatchStarted arrives after its per-batch events (a re-sent spool): still excluded
        events.remove(warm.get(0));
        events.add(events.size() - 1, warm.get(0));
        h.send(launcher(1, Map.of()).events()).send(events);

        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("batches")).isEqualTo(1L);
        assertThat(r.get("warmup_batches")).isEqualTo(1L);
        assertThat(r.get("output_tokens")).isEqualTo(6L);
        assertThat(r.get("input_tokens")).isEqualTo(10L);
        assertThat((double) get(r, "ttft_ms.max")).isEqualTo(10.0);
        assertThat((double) get(r, "itl_ms.max")).isEqualTo(5.0);
        assertThat(get(r, "itl_ms.count")).isEqualTo(4L);
        assertThat((double) r.get("flops_total")).isEqualTo(2000.0);
        assertThat((double) r.get("wall_time_s")).isCloseTo(0.020, within(1e-12));
        assertThat(r.get("unresolved_batches")).isEqualTo(0L);
    }

    @Test
    void flopsPerMethodSumOverMeasuredBatchesAndAProcessTotalWins() {
        ProcessScript p0 = new ProcessScript(EXP, 0, "node-0", T0);
        p0.processStarted(2, "gpu:GPU-0");
        p0.batch(0, false, 2, 10, 10 * MS, 5 * MS);
        p0.flops("architecture-dense", 0, 1000, 14);
        p0.flops("parameter", 0, 800, 14);
        p0.batch(1, false, 2, 10, 10 * MS, 5 * MS);
        p0.flops("architecture-dense", 1, 1100, 14);
        p0.flops("parameter", 1, 800, 14);
        p0.completed();
        ProcessScript p1 = new ProcessScript(EXP, 1, "node-1", T0);
        p1.processStarted(2, "gpu:GPU-1");
        p1.batch(0, false, 2, 10, 10 * MS, 5 * MS);
        p1.flops("architecture-dense", 0, 1000, 14);
        p1.flops("architecture-dense", null, 5000, 14); // a process total supersedes its batch sum
        p1.completed();
        h.send(launcher(2, Map.of()).events()).send(p0.events()).send(p1.events());

        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("flops_method")).isEqualTo("architecture-dense"); // covers both processes
        assertThat((double) r.get("flops_total")).isEqualTo(2100.0 + 5000.0);
        assertThat((double) r.get("flops_per_token")).isEqualTo(7100.0 / 42);
        assertThat((double) r.get("flops_per_output_token")).isEqualTo(7100.0 / 12);
        assertThat((double) get(r, "flops_by_method.parameter.flops")).isEqualTo(1600.0);
        assertThat(get(r, "flops_by_method.parameter.processes")).isEqualTo(1);
        assertThat(get(r, "flops_by_method.architecture-dense.basis")).isEqualTo("mixed");
    }

    @Test
    void peakMemoryIsTheLargestGpuPeak() {
        ProcessScript p = runner(0, T0, 100);
        p.memory("gpu:GPU-0", 100L << 20, 300L << 20);
        p.memory("gpu:GPU-0", 200L << 20, 250L << 20);
        p.memory("cpu:node-0:package-0", 0, 4000L << 20);
        h.send(launcher(1, Map.of()).events()).send(p.events());
        Map<String, Object> r = h.results(EXP);
        assertThat((double) r.get("peak_memory_mb")).isEqualTo(300.0);
        assertThat((double) get(r, "peak_memory_mb_by_device.cpu:node-0:package-0")).isEqualTo(4000.0);
    }

    @Test
    void outOfOrderArrivalWithinAProcessGivesTheSameResults() {
        ProcessScript p = new ProcessScript(EXP, 0, "node-0", T0);
        p.processStarted(1, "gpu:GPU-0", "cpu:node-0:package-0");
        p.batch(0, true, 2, 10, 100 * MS, 50 * MS);
        for (int b = 1; b <= 5; b++) {
            p.batch(b, false, 4, 20 + b, (10 + b) * MS, 5 * MS, (6 + b) * MS, 4 * MS);
            p.flops("architecture-causal", b, 1000.0 * b, 30);
            p.energy("gpu:GPU-0", "counter", "batch-" + b, 10, 20 * MS);
            p.memory("gpu:GPU-0", b << 20, (b * 3L) << 20);
            p.power("gpu:GPU-0", 100 + b);
        }
        p.energy("gpu:GPU-0", "counter", "run", 500, 200 * MS);
        p.energy("cpu:node-0:package-0", "counter", "run", 90, 200 * MS);
        p.completed();
        List<LemEvent> launcherEvents = launcher(1, Map.of()).events();

        h.send(launcherEvents).send(p.events());
        Map<String, Object> inOrder = new LinkedHashMap<>(h.results(EXP));
        h.close();

        List<LemEvent> shuffled = new ArrayList<>(p.events());
        Collections.shuffle(shuffled, new Random(7));
        h = new Harness(stateDir.resolve("shuffled"));
        h.send(shuffled).send(launcherEvents);
        Map<String, Object> outOfOrder = new LinkedHashMap<>(h.results(EXP));

        assertThat(inOrder.get("status")).isEqualTo("completed");
        inOrder.remove("late_events");
        outOfOrder.remove("late_events");
        assertThat(outOfOrder).isEqualTo(inOrder);
    }

    // ---------------------------------------------------------------------------------------------- bad input

    @Test
    void malformedRecordGoesToTheDeadLettersWithTheReasonAndTheNextRecordIsApplied() {
        ProcessScript p = runner(0, T0, 100);
        h.send(launcher(1, Map.of()).events());
        byte[] bad = "{\"v\":1,\"type\":\"BatchStarted\",\"eventId\":\"e\",\"experimentId\":\"exp_x\",\"processIndex\":0,\"seq\":2"
                .getBytes(StandardCharsets.UTF_8);
        h.events.pipeInput(EXP + "/0", bad);
        h.send(p.events());

        List<TestRecord<String, byte[]>> dead = h.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        TestRecord<String, byte[]> d = dead.get(0);
        assertThat(d.key()).isEqualTo(EXP + "/0");
        assertThat(d.value()).isEqualTo(bad);
        Header error = d.headers().lastHeader(LemTopology.ERROR_HEADER);
        assertThat(new String(error.value(), StandardCharsets.UTF_8)).startsWith("malformed event: not valid JSON");
        assertThat(new String(d.headers().lastHeader(LemTopology.SOURCE_HEADER).value(), StandardCharsets.UTF_8))
                .startsWith("lem.events.v1-0@");
        assertThat(h.results(EXP).get("status")).isEqualTo("completed");
        assertThat(h.results(EXP).get("output_tokens")).isEqualTo(8L);
    }

    @Test
    void recordsThatCannotBeAggregatedAreDeadLettersWithTheirReason() {
        ProcessScript p = runner(0, T0, 100);
        LemEvent first = p.events().get(0);
        h.events.pipeInput("some-other-key/0", Harness.CODEC.encode(first)); // key does not match
        h.events.pipeInput(EXP + "/0", (byte[]) null); // tombstone
        String wrongType = Harness.CODEC.encodeToString(p.events().get(1)).replace("\"batchSize\":2", "\"batchSize\":\"2\"");
        h.events.pipeInput(EXP + "/0", wrongType.getBytes(StandardCharsets.UTF_8));
        String noDevice = Harness.CODEC.encodeToString(p.events().get(7)).replace("\"deviceKey\":\"gpu:GPU-0\",", "");
        h.events.pipeInput(EXP + "/0", noDevice.getBytes(StandardCharsets.UTF_8));

        List<String> reasons = new ArrayList<>();
        for (TestRecord<String, byte[]> d : h.deadLetters.readRecordsToList()) {
            reasons.add(new String(d.headers().lastHeader(LemTopology.ERROR_HEADER).value(), StandardCharsets.UTF_8));
        }
        assertThat(reasons).hasSize(4);
        assertThat(reasons.get(0)).contains("record key 'some-other-key/0' does not match");
        assertThat(reasons.get(1)).contains("no value");
        assertThat(reasons.get(2)).contains("field 'batchSize'");
        assertThat(reasons.get(3)).contains("missing required field 'deviceKey'");
        assertThat(h.process(EXP, 0)).isNull();
    }

    @Test
    void aPackedRecordFoldsEachEventAsIfSentAlone() {
        ProcessScript l = launcher(2, Map.of());
        ProcessScript p0 = runner(0, T0, 100);
        ProcessScript p1 = runner(1, T0 + S, 120);
        h.send(l.events()).send(p0.events()).send(p1.events());
        Map<String, Object> single = new LinkedHashMap<>(h.results(EXP));

        Harness packed = new Harness(stateDir.resolve("packed"));
        try {
            packed.send(l.events());
            packed.sendPacked(p0.events().subList(0, 3)).sendPacked(p0.events().subList(3, p0.events().size()));
            packed.sendPacked(p1.events());
            assertThat(packed.results(EXP)).isEqualTo(single);
            assertThat(packed.deadLetters.isEmpty()).isTrue();

            packed.sendPacked(p0.events()); // the whole spool again, packed differently
            assertThat(packed.results(EXP).get("duplicates_dropped")).isEqualTo((long) p0.events().size());
        } finally {
            packed.close();
        }
    }

    @Test
    void aBadLineOfAPackedRecordIsADeadLetterOnItsOwnAndTheOtherLinesAreFolded() {
        ProcessScript p = runner(0, T0, 100);
        h.send(launcher(1, Map.of()).events());
        List<LemEvent> events = p.events();
        byte[] bad = "{\"v\":1,\"type\":\"BatchStarted\"".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        for (int i = 0; i < events.size(); i++) {
            if (i == 2) {
                value.writeBytes(bad);
                value.write('\n');
            }
            value.writeBytes(Harness.CODEC.encode(events.get(i)));
            value.write('\n');
        }
        h.events.pipeInput(new TestRecord<>(EXP + "/0", value.toByteArray(),
                EventFrames.headers(0, events.size() + 1)));

        List<TestRecord<String, byte[]>> dead = h.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        TestRecord<String, byte[]> d = dead.get(0);
        assertThat(d.value()).isEqualTo(bad);
        assertThat(new String(d.headers().lastHeader(LemTopology.ERROR_HEADER).value(), StandardCharsets.UTF_8))
                .startsWith("malformed event: not valid JSON");
        assertThat(new String(d.headers().lastHeader(LemTopology.SOURCE_HEADER).value(), StandardCharsets.UTF_8))
                .matches("lem\\.events\\.v1-0@\\d+ line 3");
        assertThat(d.headers().lastHeader(EventFrames.COUNT_HEADER)).isNull();
        assertThat(d.headers().lastHeader(EventFrames.SEQ_HEADER)).isNull();
        assertThat(h.results(EXP).get("status")).isEqualTo("completed");
        assertThat(h.results(EXP).get("output_tokens")).isEqualTo(8L);
    }

    @Test
    void aPackedRecordWithoutAnyEventIsADeadLetter() {
        h.events.pipeInput(new TestRecord<>(EXP + "/0", "\n\n".getBytes(StandardCharsets.UTF_8),
                EventFrames.headers(0, 2)));
        List<TestRecord<String, byte[]>> dead = h.deadLetters.readRecordsToList();
        assertThat(dead).hasSize(1);
        assertThat(new String(dead.get(0).headers().lastHeader(LemTopology.ERROR_HEADER).value(),
                StandardCharsets.UTF_8)).contains("no event");
    }

    @Test
    void unknownEventTypeIsCountedAndItsSeqAccountedFor() {
        ProcessScript p = new ProcessScript(EXP, 0, "node-0", T0);
        p.processStarted(1, "gpu:GPU-0");
        p.batch(0, false, 2, 10, 10 * MS, 5 * MS);
        long unknownSeq = p.nextSeq();
        p.skip(); // written below as an event type this build does not know
        p.completed();
        String future = "{\"v\":2,\"type\":\"KvCacheStats\",\"eventId\":\"f\",\"experimentId\":\"" + EXP
                + "\",\"processIndex\":0,\"seq\":" + unknownSeq + ",\"host\":\"node-0\",\"timeEpochNanos\":" + T0
                + ",\"monoNanos\":1,\"hitRate\":0.9}";
        h.send(launcher(1, Map.of()).events()).send(p.events());
        assertThat(h.results(EXP).get("status")).isEqualTo("running");
        h.events.pipeInput(EXP + "/0", future.getBytes(StandardCharsets.UTF_8));

        Map<String, Object> r = h.results(EXP);
        assertThat(r.get("unknown_events")).isEqualTo(1L);
        assertThat(r.get("status")).isEqualTo("completed");
        assertThat(h.processResults(EXP, 0).get("unknown_event_types")).isEqualTo(Map.of("KvCacheStats", 1L));
        assertThat(h.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void theRecordedSampleExperimentAggregates() throws Exception {
        Path sample = Path.of("..", "examples", "events", "sample-experiment.jsonl");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(sample), "examples/ not present");
        for (String line : java.nio.file.Files.readAllLines(sample)) {
            if (!line.isBlank()) {
                LemEvent e = Harness.CODEC.decodeKnown(line.getBytes(StandardCharsets.UTF_8));
                h.events.pipeInput(e.envelope().key(), line.getBytes(StandardCharsets.UTF_8));
            }
        }
        Map<String, Object> r = h.results("exp_20261128_090000_demo");
        assertThat(r.get("status")).isEqualTo("completed");
        assertThat(r.get("output_tokens")).isEqualTo(16L);
        // one window from process 0's first batch start (+51 ms) to process 1's last batch end (+125 ms)
        assertThat((double) r.get("wall_time_s")).isCloseTo(0.074, within(1e-12));
        assertThat((double) r.get("tokens_per_second")).isCloseTo(16 / 0.074, within(1e-9));
        assertThat((double) r.get("cpu_energy_j")).isCloseTo(0.384, within(1e-12)); // two hosts: two keys
        assertThat(r.get("cpu_energy_method")).isEqualTo("model");
        assertThat((double) r.get("flops_total")).isEqualTo(2_400_000.0);
        assertThat(r.get("flops_method")).isEqualTo("architecture-causal");
        assertThat(h.deadLetters.isEmpty()).isTrue();
    }

    // ---------------------------------------------------------------------------------------------- topology shape

    @Test
    void topologyRepartitionsOnlyOnceByExperimentAndNamesItsStores() {
        String description = LemTopology.build(AggregatorConfig.defaults()).describe().toString();
        assertThat(description.split("Sub-topology:", -1).length - 1)
                .as("the event stream itself must not be repartitioned").isEqualTo(2);
        assertThat(description).contains(LemStores.BY_EXPERIMENT + "-repartition");
        assertThat(description).contains(LemStores.PROCESS_SUMMARIES).contains(LemStores.EXPERIMENT_SUMMARIES);
        assertThat(description).contains("lem.events.dlq");
    }

    @Test
    void experimentFilterAggregatesOnlyThatExperiment(@TempDir Path dir) {
        h.close();
        h = new Harness(dir, AggregatorConfig.defaults().withExperimentFilter(EXP));
        ProcessScript other = new ProcessScript("exp_other", 0, "node-0", T0);
        other.processStarted(1);
        h.send(other.events()).send(launcher(1, Map.of()).events()).send(runner(0, T0, 100).events());
        h.events.pipeInput("exp_other/0", "garbage".getBytes(StandardCharsets.UTF_8));
        assertThat(h.experiment("exp_other")).isNull();
        assertThat(h.experiment(EXP)).isNotNull();
        assertThat(h.deadLetters.isEmpty()).isTrue();
    }

    @Test
    void listRowSummarisesTheExperiment() {
        h.send(launcher(2, Map.of()).events()).send(runner(0, T0, 100).events()).send(runner(1, T0, 60).events());
        Map<String, Object> row = ResultsJson.listRow(h.experiment(EXP));
        assertThat(new ArrayList<>(row.keySet())).containsExactly("experiment_id", "config_name", "model_name",
                "status", "processes_seen", "num_processes", "output_tokens", "total_energy_j",
                "energy_per_output_token_j", "started_at");
        assertThat(row.get("output_tokens")).isEqualTo(16L);
        assertThat((double) row.get("total_energy_j")).isEqualTo(160.0);
        assertThat((double) row.get("energy_per_output_token_j")).isEqualTo(10.0);
        assertThat(row.get("started_at")).isEqualTo("2026-11-28T09:00:00Z");
        assertThat(row.get("status")).isEqualTo("completed");
    }
}
