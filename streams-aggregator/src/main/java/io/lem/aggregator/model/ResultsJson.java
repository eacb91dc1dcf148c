package io.lem.aggregator.model;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.api.event.DeviceInfo;
import io.lem.api.event.PluginInfo;
import io.lem.plugins.carbon.CarbonTable;
import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON results of lem, as ordered maps (render them with any JSON library): what the HTTP service,
 * {@code lem results} and {@code lem aggregate} show. Field names keep the original tool's names where it had one
 * ({@code total_tokens}, {@code tokens_per_second}, {@code latency_per_token_ms}, {@code total_energy_j},
 * {@code gpu_energy_j}, {@code cpu_energy_j}, {@code ram_energy_j}, {@code emissions_kg_co2}, {@code flops_total},
 * {@code flops_per_token}, {@code peak_memory_mb}); every field is documented in streams-aggregator/README.md.
 *
 * <p>Absent means "not measured": a field whose value is unknown is omitted, never written as 0. Units are in the
 * names ({@code _s}, {@code _ms}, {@code _j}, {@code _w}, {@code _mb} = MiB); times ({@code _at}) are ISO-8601 UTC.
 * Every energy figure names its method.
 */
public final class ResultsJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double MIB = 1024.0 * 1024.0;
    private static final double JOULES_PER_KWH = 3.6e6;

    private ResultsJson() {
    }

    // ------------------------------------------------------------------------------------------------------------
    // one process

    /** Results of one process (or of the launcher's key, index -1). */
    public static Map<String, Object> process(ProcessSummary p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment_id", p.experimentId());
        m.put("process_index", p.processIndex());
        if (p.isLauncher()) {
            m.put("role", "launcher");
            launcherFields(m, p);
            bookkeeping(m, p);
            return m;
        }
        m.put("role", "runner");
        m.put("status", p.status().json());
        put(m, "failure_reason", p.failureReason());
        put(m, "host", p.host());
        put(m, "host_id", p.hostId());
        if (p.processStarted()) {
            m.put("pid", p.pid());
            m.put("local_rank", p.localRank());
            m.put("world_size", p.worldSize());
        }
        put(m, "cpu_model", p.cpuModel());
        if (!p.devices().isEmpty()) {
            List<Map<String, Object>> devices = new ArrayList<>();
            for (DeviceInfo d : p.devices()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("key", d.key());
                put(dm, "kind", d.kind());
                put(dm, "name", d.name());
                put(dm, "uuid", d.uuid());
                put(dm, "memory_total_bytes", d.memoryTotalBytes());
                devices.add(dm);
            }
            m.put("devices", devices);
        }
        if (!p.plugins().isEmpty()) {
            List<Map<String, Object>> plugins = new ArrayList<>();
            for (PluginInfo pl : p.plugins()) {
                Map<String, Object> pm = new LinkedHashMap<>();
                pm.put("name", pl.name());
                put(pm, "version", pl.version());
                put(pm, "kind", pl.kind());
                plugins.add(pm);
            }
            m.put("plugins", plugins);
        }
        put(m, "started_at", time(p.processStartedEpochNanos()));
        put(m, "ended_at", time(p.terminalEpochNanos()));
        put(m, "first_event_at", time(p.firstEventEpochNanos()));
        put(m, "last_event_at", time(p.lastEventEpochNanos()));
        bookkeeping(m, p);
        m.put("unresolved_batches", p.unresolvedBatches());

        List<ProcessSummary> one = List.of(p);
        inference(m, one, p.measuredStartEpochNanos(), p.measuredEndEpochNanos(), false);
        EnergyAccounting energy = EnergyAccounting.of(one);
        energy(m, energy, p.outputTokens(), window(p.measuredStartEpochNanos(), p.measuredEndEpochNanos()));
        m.put("batch_energy_readings", p.batchWindowReadings());
        flops(m, one, p.outputTokens());
        memory(m, one);
        if (!p.peakPowerWatts().isEmpty()) {
            m.put("peak_power_w_by_device", new TreeMap<>(p.peakPowerWatts()));
        }
        m.put("power_samples", p.powerSamples());
        if (p.hasReportedTotals()) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("batches", p.reportedBatches());
            r.put("input_tokens", p.reportedInputTokens());
            r.put("output_tokens", p.reportedOutputTokens());
            r.put("duration_s", p.reportedDurationNanos() / 1e9);
            m.put("reported_totals", r);
        }
        if (p.ttft().count() > 0) {
            m.put("ttft_histogram", Base64.getEncoder().encodeToString(p.ttft().encodedHistogram()));
        }
        if (p.itl().count() > 0) {
            m.put("itl_histogram", Base64.getEncoder().encodeToString(p.itl().encodedHistogram()));
        }
        return m;
    }

    private static void launcherFields(Map<String, Object> m, ProcessSummary l) {
        put(m, "config_name", l.configName());
        put(m, "model_name", l.modelName());
        put(m, "model_revision", l.modelRevision());
        if (l.hasExperimentStarted()) {
            m.put("num_processes", l.numProcesses());
        }
        put(m, "lem_version", l.lemVersion());
        put(m, "started_at", time(l.experimentStartedEpochNanos()));
        put(m, "completed_at", time(l.experimentCompletedEpochNanos()));
        if (l.hasExperimentCompleted()) {
            put(m, "launcher_status", l.experimentEndStatus());
            m.put("failed_processes", l.experimentEndFailedProcesses());
            m.put("duration_s", l.experimentEndDurationNanos() / 1e9);
        }
        put(m, "carbon_region", l.carbonRegion());
        put(m, "pue", l.pue());
    }

    private static void bookkeeping(Map<String, Object> m, ProcessSummary p) {
        m.put("events", p.events());
        m.put("last_seq", p.lastSeq());
        if (p.expectedLastSeq() >= 0) {
            m.put("expected_last_seq", p.expectedLastSeq());
        }
        m.put("missing_seq", rangesText(p.missingSeqs()));
        m.put("missing_seq_count", p.missingSeqCount());
        m.put("duplicates_dropped", p.duplicates());
        m.put("later_runs_ignored", p.laterRuns());
        m.put("later_run_events_ignored", p.laterRunEvents());
        m.put("unknown_events", p.unknownEvents());
        if (!p.unknownTypes().isEmpty()) {
            m.put("unknown_event_types", new TreeMap<>(p.unknownTypes()));
        }
        m.put("events_with_unknown_fields", p.eventsWithUnknownFields());
        m.put("late_events", p.lateEvents());
    }

    // ------------------------------------------------------------------------------------------------------------
    // one experiment

    /** Results of an experiment with the built-in grid-intensity table. */
    public static Map<String, Object> experiment(ExperimentSummary e) {
        return experiment(e, CarbonTable.builtIn());
    }

    /** Results of an experiment, grid intensities from {@code carbonTable}. */
    public static Map<String, Object> experiment(ExperimentSummary e, CarbonTable carbonTable) {
        ProcessSummary launcher = e.launcher().orElse(null);
        List<ProcessSummary> processes = e.processes();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment_id", e.experimentId());
        if (launcher != null) {
            put(m, "config_name", launcher.configName());
            put(m, "model_name", launcher.modelName());
            put(m, "model_revision", launcher.modelRevision());
            put(m, "lem_version", launcher.lemVersion());
        }
        m.put("status", e.status().json());
        if (launcher != null && launcher.hasExperimentCompleted()) {
            put(m, "launcher_status", launcher.experimentEndStatus());
        }
        put(m, "started_at", time(startedEpoch(e)));
        if (launcher != null && launcher.hasExperimentCompleted()) {
            put(m, "completed_at", time(launcher.experimentCompletedEpochNanos()));
            m.put("duration_s", launcher.experimentEndDurationNanos() / 1e9);
        }

        // processes and completeness
        put(m, "num_processes", e.expectedProcesses());
        m.put("processes_seen", processes.size());
        int completed = 0;
        int failed = 0;
        int cancelled = 0;
        Map<String, Object> statuses = new LinkedHashMap<>();
        Map<String, Object> missingSeq = new LinkedHashMap<>();
        long events = 0;
        long duplicates = 0;
        long unknown = 0;
        long late = 0;
        long unresolved = 0;
        List<Integer> reusedBy = new ArrayList<>();
        long laterRunEvents = 0;
        for (ProcessSummary p : processes) {
            ProcessStatus s = e.statusOf(p);
            completed += s == ProcessStatus.COMPLETED ? 1 : 0;
            failed += s == ProcessStatus.FAILED ? 1 : 0;
            cancelled += s == ProcessStatus.CANCELLED ? 1 : 0;
            statuses.put(Integer.toString(p.processIndex()), s.json());
            if (p.missingSeqCount() > 0) {
                missingSeq.put(Integer.toString(p.processIndex()), rangesText(p.missingSeqs()));
            }
            events += p.events();
            duplicates += p.duplicates();
            unknown += p.unknownEvents();
            late += p.lateEvents();
            unresolved += p.unresolvedBatches();
            if (p.laterRuns() > 0) {
                reusedBy.add(p.processIndex());
            }
            laterRunEvents += p.laterRunEvents();
        }
        if (launcher != null) {
            if (launcher.laterRuns() > 0) {
                reusedBy.add(0, launcher.processIndex());
            }
            laterRunEvents += launcher.laterRunEvents();
            if (launcher.missingSeqCount() > 0) {
                missingSeq.put(Integer.toString(launcher.processIndex()), rangesText(launcher.missingSeqs()));
            }
            events += launcher.events();
            duplicates += launcher.duplicates();
            unknown += launcher.unknownEvents();
            late += launcher.lateEvents();
        }
        m.put("processes_completed", completed);
        m.put("processes_failed", failed);
        m.put("processes_cancelled", cancelled);
        m.put("missing_processes", e.missingProcesses());
        m.put("missing_process_count", e.missingProcessCount());
        m.put("process_statuses", statuses);
        m.put("events", events);
        m.put("missing_seq", missingSeq);
        m.put("duplicates_dropped", duplicates);
        m.put("experiment_id_reused_by", reusedBy);
        m.put("later_run_events_ignored", laterRunEvents);
        m.put("unknown_events", unknown);
        m.put("late_events", late);
        m.put("unresolved_batches", unresolved);

        // inference: one wall-clock window over all processes
        Long start = null;
        Long end = null;
        long outputTokens = 0;
        for (ProcessSummary p : processes) {
            start = min(start, p.measuredStartEpochNanos());
            end = max(end, p.measuredEndEpochNanos());
            outputTokens += p.outputTokens();
        }
        inference(m, processes, start, end, true);

        EnergyAccounting energy = EnergyAccounting.of(processes);
        energy(m, energy, outputTokens, window(start, end));
        if (!energy.duplicates().isEmpty()) {
            List<Map<String, Object>> dups = new ArrayList<>();
            for (Map.Entry<String, List<Integer>> d : energy.duplicates().entrySet()) {
                Map<String, Object> dm = new LinkedHashMap<>();
                dm.put("device_key", d.getKey());
                dm.put("reported_by", d.getValue());
                dm.put("counted_from", energy.devices().get(d.getKey()).processIndex());
                dups.add(dm);
            }
            m.put("duplicate_device_keys", dups);
        }
        if (!energy.superseded().isEmpty()) {
            m.put("superseded_device_keys", new TreeMap<>(energy.superseded()));
        }
        Emissions emissions = Emissions.of(launcher == null ? null : launcher.carbonRegion(),
                launcher == null ? null : launcher.pue(), energy.totalJoules(), carbonTable);
        put(m, "emissions_kg_co2", emissions.kgCo2());
        m.put("carbon_region", emissions.region());
        put(m, "pue", emissions.pue());
        if (emissions.intensity() != null) {
            m.put("carbon_intensity_g_per_kwh", emissions.intensity().gramsCo2PerKwh());
            m.put("carbon_intensity_source", emissions.intensity().source());
            m.put("carbon_intensity_year", emissions.intensity().year());
        }
        put(m, "emissions_unavailable_reason", emissions.unavailableReason());

        flops(m, processes, outputTokens);
        memory(m, processes);

        List<Map<String, Object>> rows = new ArrayList<>();
        for (ProcessSummary p : processes) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("process_index", p.processIndex());
            r.put("status", e.statusOf(p).json());
            put(r, "host", p.host());
            r.put("batches", p.batches());
            r.put("output_tokens", p.outputTokens());
            put(r, "tokens_per_second", rate(p.outputTokens(), window(p.measuredStartEpochNanos(),
                    p.measuredEndEpochNanos())));
            Double joules = EnergyAccounting.of(List.of(p)).totalJoules();
            put(r, "energy_j", joules);
            // what a launcher compares with the last seq its runner sent, to know the view has folded all of it
            r.put("last_seq", p.lastSeq());
            rows.add(r);
        }
        m.put("processes", rows);
        if (launcher != null && launcher.configJson() != null) {
            m.put("config", parseConfig(launcher.configJson()));
        }
        return m;
    }

    /** One row of the experiment listing. */
    public static Map<String, Object> listRow(ExperimentSummary e) {
        ProcessSummary launcher = e.launcher().orElse(null);
        List<ProcessSummary> processes = e.processes();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("experiment_id", e.experimentId());
        put(m, "config_name", launcher == null ? null : launcher.configName());
        put(m, "model_name", launcher == null ? null : launcher.modelName());
        m.put("status", e.status().json());
        m.put("processes_seen", processes.size());
        put(m, "num_processes", e.expectedProcesses());
        long outputTokens = 0;
        for (ProcessSummary p : processes) {
            outputTokens += p.outputTokens();
        }
        m.put("output_tokens", outputTokens);
        Double joules = EnergyAccounting.of(processes).totalJoules();
        put(m, "total_energy_j", joules);
        put(m, "energy_per_output_token_j", joules == null ? null : ratio(joules, outputTokens));
        put(m, "started_at", time(startedEpoch(e)));
        return m;
    }

    private static Long startedEpoch(ExperimentSummary e) {
        Long started = e.launcher().map(ProcessSummary::experimentStartedEpochNanos).orElse(null);
        if (started != null) {
            return started;
        }
        for (ProcessSummary p : e.processes()) {
            started = min(started, p.firstEventEpochNanos());
        }
        return started;
    }

    // ------------------------------------------------------------------------------------------------------------
    // blocks shared by process and experiment results

    private static void inference(Map<String, Object> m, List<ProcessSummary> ps, Long start, Long end,
                                  boolean experiment) {
        long batches = 0;
        long warmup = 0;
        long input = 0;
        long output = 0;
        long prefillNanos = 0;
        long decodeNanos = 0;
        long decodeTokens = 0;
        TreeMap<String, Long> finish = new TreeMap<>();
        for (ProcessSummary p : ps) {
            batches += p.batches();
            warmup += p.warmupBatches();
            input += p.inputTokens();
            output += p.outputTokens();
            prefillNanos += p.prefillNanos();
            decodeNanos += p.decodeNanos();
            decodeTokens += p.decodeTokens();
            p.finishReasons().forEach((k, v) -> finish.merge(k, v, Long::sum));
        }
        m.put("batches", batches);
        m.put("warmup_batches", warmup);
        m.put("input_tokens", input);
        m.put("output_tokens", output);
        m.put("total_tokens", input + output);
        if (!finish.isEmpty()) {
            m.put("finish_reasons", finish);
        }
        put(m, "measured_start_at", time(start));
        put(m, "measured_end_at", time(end));
        Double wall = window(start, end);
        put(m, "wall_time_s", wall);
        put(m, "tokens_per_second", rate(output, wall));
        m.put("prefill_time_s", prefillNanos / 1e9);
        m.put("decode_time_s", decodeNanos / 1e9);
        m.put("decode_tokens", decodeTokens);
        String suffix = experiment ? "_per_process_second" : "_per_second";
        put(m, "prefill_tokens" + suffix, rate(input, prefillNanos / 1e9));
        put(m, "decode_tokens" + suffix, rate(decodeTokens, decodeNanos / 1e9));

        List<LatencyHistogram> ttft = new ArrayList<>();
        List<LatencyHistogram> itl = new ArrayList<>();
        for (ProcessSummary p : ps) {
            ttft.add(p.ttft());
            itl.add(p.itl());
        }
        Map<String, Object> itlStats = latency(itl);
        if (itlStats != null) {
            m.put("latency_per_token_ms", itlStats.get("mean"));
        }
        put(m, "ttft_ms", latency(ttft));
        put(m, "itl_ms", itlStats);
    }

    /** Count, exact mean/min/max and histogram percentiles (ms) of merged histograms; null when empty. */
    static Map<String, Object> latency(List<LatencyHistogram> parts) {
        long count = 0;
        long sum = 0;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        Histogram merged = null;
        for (LatencyHistogram h : parts) {
            if (h.count() == 0) {
                continue;
            }
            count += h.count();
            sum += h.sumNanos();
            min = Math.min(min, h.minNanos());
            max = Math.max(max, h.maxNanos());
            Histogram part = h.toHistogram();
            if (merged == null) {
                merged = part;
            } else {
                merged.add(part);
            }
        }
        if (count == 0) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("mean", sum / (double) count / 1e6);
        m.put("min", min / 1e6);
        m.put("p50", merged.getValueAtPercentile(50) / 1e3);
        m.put("p90", merged.getValueAtPercentile(90) / 1e3);
        m.put("p99", merged.getValueAtPercentile(99) / 1e3);
        m.put("max", max / 1e6);
        return m;
    }

    /**
     * @param wallSeconds the measured window (first batch start to last batch end), against which each device's
     *                    energy window is compared ({@code window_coverage}); null when no batch was measured
     */
    private static void energy(Map<String, Object> m, EnergyAccounting energy, long outputTokens,
                               Double wallSeconds) {
        if (!energy.measured()) {
            return;
        }
        double total = energy.totalJoules();
        m.put("total_energy_j", total);
        m.put("total_energy_method", energy.methods(null));
        put(m, "total_energy_uncertainty_j", energy.uncertaintyJoules());
        for (String category : List.of(EnergyAccounting.GPU, EnergyAccounting.CPU, EnergyAccounting.RAM,
                EnergyAccounting.OTHER)) {
            Double j = energy.joules(category);
            if (j != null) {
                m.put(category + "_energy_j", j);
                m.put(category + "_energy_method", energy.methods(category));
            }
        }
        put(m, "energy_per_output_token_j", ratio(total, outputTokens));
        put(m, "tokens_per_kwh", total > 0 ? outputTokens / (total / JOULES_PER_KWH) : null);
        Map<String, Object> devices = new LinkedHashMap<>();
        List<String> partial = new ArrayList<>();
        for (EnergyAccounting.Device d : energy.devices().values()) {
            Map<String, Object> dm = new LinkedHashMap<>();
            EnergyFigure f = d.figure();
            dm.put("energy_j", f.energyJoules());
            dm.put("method", f.method());
            dm.put("category", EnergyAccounting.category(d.deviceKey()));
            dm.put("window_s", f.windowDurationNanos() / 1e9);
            if (wallSeconds != null && wallSeconds > 0) {
                // a device measured over less than the measured window missed joules drawn outside its window (a
                // host whose processes ran shorter than the others', a runner that did not meet its local peers)
                double coverage = Math.min(1.0, f.windowDurationNanos() / 1e9 / wallSeconds);
                dm.put("window_coverage", coverage);
                if (coverage < PARTIAL_COVERAGE) {
                    partial.add(d.deviceKey());
                }
            }
            put(dm, "mean_power_w", finite(f.meanPowerWatts()));
            put(dm, "uncertainty_j", f.uncertaintyJoules());
            put(dm, "source", f.source());
            dm.put("process_index", d.processIndex());
            if (!d.alternatives().isEmpty()) {
                dm.put("alternatives_j", new TreeMap<>(d.alternatives()));
            }
            devices.put(d.deviceKey(), dm);
        }
        m.put("energy_by_device", devices);
        if (!partial.isEmpty()) {
            m.put("energy_partial_devices", partial);
        }
        Double idle = energy.idleJoules();
        if (idle != null) {
            m.put("idle_energy_j", idle);
            m.put("idle_energy_method", energy.idleMethods());
            m.put("energy_above_idle_j", total - idle);
            put(m, "energy_above_idle_per_output_token_j", ratio(total - idle, outputTokens));
        }
        if (!energy.idle().isEmpty()) {
            double idlePower = 0;
            Map<String, Object> idleDevices = new LinkedHashMap<>();
            for (EnergyAccounting.Idle i : energy.idle().values()) {
                idlePower += i.idlePowerWatts();
                Map<String, Object> im = new LinkedHashMap<>();
                im.put("idle_power_w", i.idlePowerWatts());
                im.put("idle_window_s", i.figure().windowDurationNanos() / 1e9);
                im.put("method", i.figure().method());
                put(im, "idle_energy_j", i.idleEnergyOverRunJoules());
                im.put("process_index", i.processIndex());
                idleDevices.put(i.deviceKey(), im);
            }
            m.put("idle_power_w", idlePower);
            m.put("idle_by_device", idleDevices);
        }
    }

    private static void flops(Map<String, Object> m, List<ProcessSummary> ps, long outputTokens) {
        TreeMap<String, FlopsSum> sums = new TreeMap<>();
        TreeMap<String, Integer> coverage = new TreeMap<>();
        TreeMap<String, String> basis = new TreeMap<>();
        int withFlops = 0;
        for (ProcessSummary p : ps) {
            Map<String, FlopsSum> f = p.flops();
            if (!f.isEmpty()) {
                withFlops++;
            }
            for (Map.Entry<String, FlopsSum> e : f.entrySet()) {
                sums.merge(e.getKey(), e.getValue(), FlopsSum::plus);
                coverage.merge(e.getKey(), 1, Integer::sum);
                String b = p.flopsFromProcessTotal(e.getKey()) ? "process-total" : "batch-sum";
                basis.merge(e.getKey(), b, (x, y) -> x.equals(y) ? x : "mixed");
            }
        }
        if (sums.isEmpty()) {
            return;
        }
        // the most trusted method that covers every process with FLOPs figures; else the most trusted one
        String chosen = null;
        for (String method : sums.keySet()) {
            if (chosen == null || better(method, coverage.get(method), chosen, coverage.get(chosen), withFlops)) {
                chosen = method;
            }
        }
        FlopsSum c = sums.get(chosen);
        m.put("flops_total", c.flops());
        m.put("macs_total", c.macs());
        m.put("flops_method", chosen);
        put(m, "flops_per_token", ratio(c.flops(), c.tokens()));
        put(m, "flops_per_output_token", ratio(c.flops(), outputTokens));
        Map<String, Object> byMethod = new LinkedHashMap<>();
        for (Map.Entry<String, FlopsSum> e : sums.entrySet()) {
            FlopsSum s = e.getValue();
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("flops", s.flops());
            fm.put("macs", s.macs());
            fm.put("tokens", s.tokens());
            put(fm, "flops_per_token", ratio(s.flops(), s.tokens()));
            fm.put("estimates", s.estimates());
            fm.put("basis", basis.get(e.getKey()));
            fm.put("processes", coverage.get(e.getKey()));
            byMethod.put(e.getKey(), fm);
        }
        m.put("flops_by_method", byMethod);
    }

    private static boolean better(String a, int coverA, String b, int coverB, int all) {
        boolean fullA = coverA == all;
        boolean fullB = coverB == all;
        if (fullA != fullB) {
            return fullA;
        }
        int r = Integer.compare(FlopsSum.methodRank(a), FlopsSum.methodRank(b));
        return r != 0 ? r < 0 : a.compareTo(b) < 0;
    }

    private static void memory(Map<String, Object> m, List<ProcessSummary> ps) {
        TreeMap<String, Long> peaks = new TreeMap<>();
        for (ProcessSummary p : ps) {
            p.peakMemoryBytes().forEach((k, v) -> peaks.merge(k, v, Math::max));
        }
        if (peaks.isEmpty()) {
            return;
        }
        long gpuPeak = -1;
        long anyPeak = -1;
        Map<String, Object> byDevice = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : peaks.entrySet()) {
            anyPeak = Math.max(anyPeak, e.getValue());
            if (EnergyAccounting.category(e.getKey()).equals(EnergyAccounting.GPU)) {
                gpuPeak = Math.max(gpuPeak, e.getValue());
            }
            byDevice.put(e.getKey(), e.getValue() / MIB);
        }
        m.put("peak_memory_mb", (gpuPeak >= 0 ? gpuPeak : anyPeak) / MIB);
        m.put("peak_memory_mb_by_device", byDevice);
    }

    // ------------------------------------------------------------------------------------------------------------
    // helpers

    private static void put(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static String time(Long epochNanos) {
        if (epochNanos == null) {
            return null;
        }
        return Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L)).toString();
    }

    /** Below this share of the measured window a device's energy is listed in {@code energy_partial_devices}. */
    static final double PARTIAL_COVERAGE = 0.95;

    private static Double window(Long start, Long end) {
        if (start == null || end == null || end <= start) {
            return null;
        }
        return (end - start) / 1e9;
    }

    private static Double rate(long amount, Double seconds) {
        return seconds == null || seconds <= 0 ? null : amount / seconds;
    }

    private static Double ratio(double amount, double per) {
        return per <= 0 ? null : amount / per;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Long min(Long a, Long b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return Math.min(a, b);
    }

    private static Long max(Long a, Long b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return Math.max(a, b);
    }

    private static List<String> rangesText(List<long[]> ranges) {
        List<String> out = new ArrayList<>(ranges.size());
        for (long[] r : ranges) {
            out.add(RangeSet.rangeText(r[0], r[1]));
        }
        return out;
    }

    private static Object parseConfig(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Object>>() {
            });
        } catch (Exception e) {
            return json;
        }
    }
}
