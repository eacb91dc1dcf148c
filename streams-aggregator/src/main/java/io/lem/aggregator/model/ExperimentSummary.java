package io.lem.aggregator.model;

import io.lem.api.event.LemEvent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The state of one experiment: the latest {@link ProcessSummary} of each of its keys (the launcher at index -1 and
 * every runner process), nothing else. Totals, percentiles, per-device energy, emissions and the status are derived
 * on read ({@link ResultsJson}), because maxima, percentiles and "count each device once" cannot be maintained with a
 * subtractor; replacing a process's summary with its newer version is always exact.
 *
 * <p>Process summaries are held in their encoded form and decoded lazily, so updating one process costs a copy of
 * bytes, not a re-encoding of every process. A copy older than the one held (by its update counter) is ignored.
 * Not thread-safe.
 */
public final class ExperimentSummary {
    static final int MAGIC = 0x4C; // 'L'
    static final int KIND = 0x45; // 'E'
    static final int FORMAT = 1;

    private String experimentId;
    private final TreeMap<Integer, byte[]> encodedProcesses = new TreeMap<>();
    private final Map<Integer, ProcessSummary> decoded = new HashMap<>();

    /** An empty summary (the aggregation initializer). */
    public ExperimentSummary() {
    }

    /**
     * Holds {@code summary} as the latest state of its process, unless a newer copy is already held.
     *
     * @return this
     */
    public ExperimentSummary withProcess(ProcessSummary summary) {
        if (summary == null || summary.experimentId() == null) {
            return this;
        }
        if (experimentId == null) {
            experimentId = summary.experimentId();
        } else if (!experimentId.equals(summary.experimentId())) {
            throw new IllegalArgumentException("summary of " + summary.experimentId() + " given to experiment "
                    + experimentId);
        }
        int index = summary.processIndex();
        byte[] held = encodedProcesses.get(index);
        if (held != null && ProcessSummary.updatesOf(held) > summary.updates()) {
            return this; // a stale copy: never go back in time
        }
        encodedProcesses.put(index, summary.toBytes());
        decoded.remove(index);
        return this;
    }

    /** Null until the first process summary arrived. */
    public String experimentId() {
        return experimentId;
    }

    /** True when no summary is held (e.g. a fresh aggregate). */
    public boolean isEmpty() {
        return encodedProcesses.isEmpty();
    }

    private ProcessSummary decode(int index) {
        ProcessSummary s = decoded.get(index);
        if (s == null) {
            byte[] bytes = encodedProcesses.get(index);
            if (bytes == null) {
                return null;
            }
            s = ProcessSummary.fromBytes(bytes);
            decoded.put(index, s);
        }
        return s;
    }

    /** The launcher's summary (ExperimentStarted / ExperimentCompleted), empty until one of them arrived. */
    public Optional<ProcessSummary> launcher() {
        return Optional.ofNullable(decode(LemEvent.LAUNCHER_PROCESS_INDEX));
    }

    /** Runner process summaries, by process index. */
    public List<ProcessSummary> processes() {
        List<ProcessSummary> out = new ArrayList<>();
        for (Integer index : encodedProcesses.keySet()) {
            if (index != LemEvent.LAUNCHER_PROCESS_INDEX) {
                out.add(decode(index));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** One runner process's summary. */
    public Optional<ProcessSummary> process(int processIndex) {
        return processIndex == LemEvent.LAUNCHER_PROCESS_INDEX ? Optional.empty()
                : Optional.ofNullable(decode(processIndex));
    }

    /**
     * Processes expected: ExperimentStarted.numProcesses; without it ExperimentCompleted.numProcesses; without either,
     * the largest world size a process announced; null when nothing tells.
     */
    public Integer expectedProcesses() {
        Optional<ProcessSummary> launcher = launcher();
        if (launcher.isPresent() && launcher.get().hasExperimentStarted()) {
            return launcher.get().numProcesses();
        }
        if (launcher.isPresent() && launcher.get().hasExperimentCompleted()) {
            return launcher.get().experimentEndNumProcesses();
        }
        int world = 0;
        for (ProcessSummary p : processes()) {
            world = Math.max(world, p.worldSize());
        }
        return world > 0 ? world : null;
    }

    /** Whether the launcher reported the end of the experiment. */
    public boolean launcherEnded() {
        return launcher().map(ProcessSummary::hasExperimentCompleted).orElse(false);
    }

    /** A process's status as the experiment sees it: still running after the launcher ended means incomplete. */
    public ProcessStatus statusOf(ProcessSummary process) {
        ProcessStatus s = process.status();
        return s == ProcessStatus.RUNNING && launcherEnded() ? ProcessStatus.INCOMPLETE : s;
    }

    /** Most indices {@link #missingProcesses()} lists (a corrupt process count must not build a huge list). */
    public static final int MISSING_LIST_LIMIT = 1000;

    /** Expected process indices (0..n-1) of which no event arrived; the first {@value #MISSING_LIST_LIMIT}. */
    public List<Integer> missingProcesses() {
        Integer expected = expectedProcesses();
        List<Integer> missing = new ArrayList<>();
        if (expected != null) {
            for (int i = 0; i < expected && missing.size() < MISSING_LIST_LIMIT; i++) {
                if (!encodedProcesses.containsKey(i)) {
                    missing.add(i);
                }
            }
        }
        return missing;
    }

    /** Number of expected process indices (0..n-1) of which no event arrived; 0 when the count is unknown. */
    public int missingProcessCount() {
        Integer expected = expectedProcesses();
        if (expected == null || expected <= 0) {
            return 0;
        }
        int seen = encodedProcesses.subMap(0, true, expected - 1, true).size();
        return expected - seen;
    }

    /**
     * The experiment's status, derived from the events (order of arrival does not matter):
     * {@code cancelled} when the launcher says so; {@code failed} when a process failed or the launcher says failed;
     * else {@code cancelled} when a process was cancelled (a {@code lem runner} stopped with no launcher to say so);
     * {@code completed} only when ExperimentStarted arrived and every expected process (and any other seen) completed
     * with no missing seq; otherwise {@code incomplete} once the launcher reported the end, else {@code running}.
     */
    public ExperimentStatus status() {
        Optional<ProcessSummary> launcher = launcher();
        String end = launcher.map(ProcessSummary::experimentEndStatus).orElse(null);
        if ("cancelled".equals(end)) {
            return ExperimentStatus.CANCELLED;
        }
        List<ProcessSummary> processes = processes();
        for (ProcessSummary p : processes) {
            if (p.status() == ProcessStatus.FAILED) {
                return ExperimentStatus.FAILED;
            }
        }
        if ("failed".equals(end)) {
            return ExperimentStatus.FAILED;
        }
        for (ProcessSummary p : processes) {
            if (p.status() == ProcessStatus.CANCELLED) {
                return ExperimentStatus.CANCELLED;
            }
        }
        boolean started = launcher.map(ProcessSummary::hasExperimentStarted).orElse(false);
        if (started) {
            int expected = launcher.get().numProcesses();
            boolean complete = expected > 0 && missingProcessCount() == 0;
            for (ProcessSummary p : processes) {
                complete &= p.status() == ProcessStatus.COMPLETED;
            }
            if (complete) {
                return ExperimentStatus.COMPLETED;
            }
        }
        return launcherEnded() ? ExperimentStatus.INCOMPLETE : ExperimentStatus.RUNNING;
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Binary form: magic {@code L}, kind {@code E}, format, experiment id, then (index, encoded summary) pairs. */
    public byte[] toBytes() {
        int size = 32;
        for (byte[] b : encodedProcesses.values()) {
            size += b.length + 8;
        }
        BinWriter w = new BinWriter(size);
        w.u8(MAGIC);
        w.u8(KIND);
        w.u8(FORMAT);
        w.str(experimentId);
        w.uvar(encodedProcesses.size());
        for (Map.Entry<Integer, byte[]> e : encodedProcesses.entrySet()) {
            w.svar(e.getKey());
            w.bytes(e.getValue());
        }
        return w.toByteArray();
    }

    public static ExperimentSummary fromBytes(byte[] bytes) {
        if (bytes.length < 3 || (bytes[0] & 0xFF) != MAGIC || (bytes[1] & 0xFF) != KIND) {
            throw new SummaryFormatException("not an experiment summary record");
        }
        int format = bytes[2] & 0xFF;
        if (format != FORMAT) {
            throw new SummaryFormatException("experiment summary format " + format + " is not supported (this build"
                    + " reads " + FORMAT + "); replay the events with this version");
        }
        BinReader in = new BinReader(bytes, 3, bytes.length - 3);
        ExperimentSummary s = new ExperimentSummary();
        s.experimentId = in.str();
        int n = in.uvarInt();
        for (int i = 0; i < n; i++) {
            int index = in.svarInt();
            byte[] blob = in.bytes();
            if (blob == null) {
                throw new SummaryFormatException("empty process summary in experiment " + s.experimentId);
            }
            s.encodedProcesses.put(index, blob);
        }
        return s;
    }

    @Override
    public String toString() {
        return "ExperimentSummary[" + experimentId + ", keys " + encodedProcesses.keySet() + "]";
    }
}
