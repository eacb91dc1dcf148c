package io.lem.aggregator.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.DecodeResult;
import io.lem.api.event.DeviceInfo;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.Envelope;
import io.lem.api.event.ExperimentCompleted;
import io.lem.api.event.ExperimentStarted;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.MemorySample;
import io.lem.api.event.PluginInfo;
import io.lem.api.event.PowerSample;
import io.lem.api.event.PrefillCompleted;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import io.lem.api.event.ProcessStarted;
import io.lem.api.event.TokensGenerated;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The folded state of one event key {@code experimentId/processIndex}: a runner process, or the launcher (index -1,
 * which carries the experiment's metadata). Built by {@link #apply(DecodeResult)} one event at a time.
 *
 * <p>Every fold is insensitive to arrival order — sums, min/max, set unions, histograms, "latest window wins" for
 * cumulative energy readings — so a spool re-sent out of order gives the same state. Events are de-duplicated by
 * {@code seq}: the set of applied seqs is kept as ranges ({@link RangeSet}), so re-sent events and producer retries never
 * count twice, and holes are reported.
 *
 * <p>Warm-up batches are excluded from every measured total. Events that name a batch without saying whether it is a
 * warm-up batch wait in a small per-batch buffer until {@code BatchStarted} or {@code BatchCompleted} resolves it.
 *
 * <p>Stored with a compact binary format ({@link #toBytes()}/{@link #fromBytes(byte[])}); the histograms stay encoded.
 * Not thread-safe: one instance per fold or per reader.
 */
public final class ProcessSummary {
    static final int MAGIC = 0x4C; // 'L'
    static final int KIND = 0x50; // 'P'
    static final int FORMAT = 1;
    /** Offset of the fixed-width update counter in the encoded form (after magic, kind and format bytes). */
    static final int UPDATES_OFFSET = 3;

    static final int TERMINAL_NONE = 0;
    static final int TERMINAL_COMPLETED = 1;
    static final int TERMINAL_FAILED = 2;

    /** Energy window covering the measured run. */
    public static final String RUN_WINDOW = "run";
    /** Energy window of the idle baseline measured before the run. */
    public static final String IDLE_WINDOW = "idle-baseline";
    /** Prefix of per-batch energy windows, which are never added to run totals. */
    public static final String BATCH_WINDOW_PREFIX = "batch-";

    private static final ObjectMapper JSON = new ObjectMapper();

    // identity and bookkeeping
    private String experimentId;
    private int processIndex;
    private long updates;
    private RangeSet seqs;
    private long duplicates;
    private long unknownEvents;
    private TreeMap<String, Long> unknownTypes;
    private long eventsWithUnknownFields;
    private long lateEvents;
    private long firstEventEpochNanos = Long.MAX_VALUE;
    private long lastEventEpochNanos = Long.MIN_VALUE;
    private int terminal = TERMINAL_NONE;
    private long terminalSeq = -1;
    private long terminalEpochNanos;
    private String failureReason;

    // runs: an experiment id names one run; a later run that reuses it starts its seqs at 0 again, so its events would
    // pass for duplicates of the first run's or, past the first run's last seq, be folded into it
    /** eventId of the start event (ProcessStarted, or ExperimentStarted for the launcher) folded in; null before. */
    private String startEventId;
    /** Start events of later runs under the same key (distinct eventIds); from the first on, nothing more is folded. */
    private long laterRuns;
    /** eventId of the last later run's start event seen, so that its re-sends are not counted as further runs. */
    private String laterRunStartEventId;
    /** Events that arrived from the first later run's start event on, and were not folded in. */
    private long laterRunEvents;

    // ProcessStarted
    private String host;
    private long processStartedSeq = -1;
    private long processStartedEpochNanos;
    // the rest of ProcessStarted, never touched by the hot path: kept encoded, decoded only when read
    private byte[] startInfoBytes;
    private StartInfo startInfo;

    // batches, tokens, times
    private RangeSet warmupBatchIndices;
    private RangeSet measuredBatchIndices;
    // the last batch found resolved, and what it is: a batch's events arrive together (a decode step each), and once
    // resolved a batch never changes; saves two range-set searches per event (not encoded)
    private int lastResolvedBatch = -1;
    private boolean lastResolvedWarmup;
    private long batches;
    private long warmupBatches;
    private long warmupOutputTokens;
    private long sequences;
    private long inputTokens;
    private long paddedInputTokens;
    private long outputTokens;
    private long prefillNanos;
    private long decodeNanos;
    private long batchNanos;
    private long measuredStartEpochNanos = Long.MAX_VALUE;
    private long measuredEndEpochNanos = Long.MIN_VALUE;
    private TreeMap<String, Long> finishReasons;
    private long decodeTokens;
    private long decodeSteps;
    private LatencyHistogram ttft;
    private LatencyHistogram itl;
    private TreeMap<Integer, PendingBatch> pending = new TreeMap<>();

    // energy, FLOPs, memory, power
    private TreeMap<String, TreeMap<String, EnergyFigure>> runEnergy;
    private TreeMap<String, TreeMap<String, EnergyFigure>> idleEnergy;
    private long batchWindowReadings;
    private long otherWindowReadings;
    private TreeMap<String, FlopsSum> flopsBatchSum;
    private TreeMap<String, FlopsSum> flopsProcessTotal;
    private TreeMap<String, Long> peakMemoryBytes;
    private TreeMap<String, Long> memoryTotalBytes;
    private TreeMap<String, Double> peakPowerWatts = new TreeMap<>();
    private long powerSamples;

    // ProcessCompleted's own totals (cross-check)
    private boolean reported;
    private long reportedBatches;
    private long reportedInputTokens;
    private long reportedOutputTokens;
    private long reportedDurationNanos;

    // launcher: ExperimentStarted
    private long experimentStartedSeq = -1;
    private long experimentStartedEpochNanos;
    private String configName;
    private String modelName;
    private String modelRevision;
    private int numProcesses;
    private String lemVersion;
    private String configJson;
    private String carbonRegion;
    private String pue;

    // launcher: ExperimentCompleted
    private long experimentCompletedSeq = -1;
    private long experimentCompletedEpochNanos;
    private String experimentEndStatus;
    private int experimentEndNumProcesses;
    private int experimentEndFailedProcesses;
    private long experimentEndDurationNanos;

    // the bytes this object was read from or last written to; null once it changed
    private byte[] encoded;
    // length of the last encoding: the next one is about as long (saves buffer growth)
    private int encodedLengthHint = 256;

    /** An empty summary (the aggregation initializer); identity is taken from the first event applied. */
    public ProcessSummary() {
        seqs = new RangeSet();
        unknownTypes = new TreeMap<>();
        warmupBatchIndices = new RangeSet();
        measuredBatchIndices = new RangeSet();
        finishReasons = new TreeMap<>();
        ttft = new LatencyHistogram();
        itl = new LatencyHistogram();
        runEnergy = new TreeMap<>();
        idleEnergy = new TreeMap<>();
        flopsBatchSum = new TreeMap<>();
        flopsProcessTotal = new TreeMap<>();
        peakMemoryBytes = new TreeMap<>();
        memoryTotalBytes = new TreeMap<>();
    }

    /** For {@link #fromBytes}: the collections come from the bytes. */
    private ProcessSummary(boolean unused) {
    }

    // ------------------------------------------------------------------------------------------------------------
    // folding

    /**
     * Folds one decoded event in.
     *
     * @return false when the event was a duplicate (its seq had already been applied) or came from a later run that
     *         reused the experiment id ({@link #laterRuns()}), and changed nothing but those counts
     */
    public boolean apply(DecodeResult result) {
        Envelope env = result.envelope();
        if (encoded != null) {
            encodedLengthHint = encoded.length;
            encoded = null;
        }
        updates++;
        if (experimentId == null) {
            experimentId = env.experimentId();
            processIndex = env.processIndex();
        }
        if (startOfAnotherRun(result) || laterRuns > 0) {
            laterRunEvents++;
            return false;
        }
        if (!seqs.add(env.seq())) {
            duplicates++;
            return false;
        }
        if (terminal != TERMINAL_NONE) {
            lateEvents++;
        }
        if (host == null) {
            host = env.host();
        }
        firstEventEpochNanos = Math.min(firstEventEpochNanos, env.timeEpochNanos());
        lastEventEpochNanos = Math.max(lastEventEpochNanos, env.timeEpochNanos());
        if (result instanceof DecodeResult.Unknown) {
            unknownEvents++;
            unknownTypes.merge(((DecodeResult.Unknown) result).type(), 1L, Long::sum);
            return true;
        }
        DecodeResult.Known known = (DecodeResult.Known) result;
        if (!known.unknownFields().isEmpty()) {
            eventsWithUnknownFields++;
        }
        fold(known.event());
        return true;
    }

    /**
     * Whether this is the start event of a run other than the one folded in: a start event whose eventId differs from
     * the folded one's (a re-sent event keeps its id). Counts the run once however often its start is re-sent.
     */
    private boolean startOfAnotherRun(DecodeResult result) {
        if (startEventId == null || !(result instanceof DecodeResult.Known)) {
            return false;
        }
        LemEvent event = ((DecodeResult.Known) result).event();
        if (!(event instanceof ProcessStarted) && !(event instanceof ExperimentStarted)) {
            return false;
        }
        String id = result.envelope().eventId();
        if (id.equals(startEventId)) {
            return false;
        }
        if (!id.equals(laterRunStartEventId)) {
            laterRuns++;
            laterRunStartEventId = id;
        }
        return true;
    }

    private void fold(LemEvent event) {
        // Java 17 without preview features: an instanceof chain, most frequent types first
        if (event instanceof TokensGenerated) {
            onTokens((TokensGenerated) event);
        } else if (event instanceof PowerSample) {
            onPower((PowerSample) event);
        } else if (event instanceof MemorySample) {
            onMemory((MemorySample) event);
        } else if (event instanceof PrefillCompleted) {
            onPrefill((PrefillCompleted) event);
        } else if (event instanceof BatchStarted) {
            onBatchStarted((BatchStarted) event);
        } else if (event instanceof BatchCompleted) {
            onBatchCompleted((BatchCompleted) event);
        } else if (event instanceof EnergyReading) {
            onEnergy((EnergyReading) event);
        } else if (event instanceof FlopsEstimate) {
            onFlops((FlopsEstimate) event);
        } else if (event instanceof ProcessStarted) {
            onProcessStarted((ProcessStarted) event);
        } else if (event instanceof ProcessCompleted) {
            onProcessCompleted((ProcessCompleted) event);
        } else if (event instanceof ProcessFailed) {
            onProcessFailed((ProcessFailed) event);
        } else if (event instanceof ExperimentStarted) {
            onExperimentStarted((ExperimentStarted) event);
        } else if (event instanceof ExperimentCompleted) {
            onExperimentCompleted((ExperimentCompleted) event);
        }
    }

    /** TRUE: warm-up, FALSE: measured, null: not known yet. */
    private Boolean warmup(int batchIndex) {
        if (batchIndex < 0) {
            return null;
        }
        if (batchIndex == lastResolvedBatch) {
            return lastResolvedWarmup;
        }
        boolean measured = measuredBatchIndices.contains(batchIndex);
        if (!measured && !warmupBatchIndices.contains(batchIndex)) {
            return null;
        }
        lastResolvedBatch = batchIndex;
        lastResolvedWarmup = !measured;
        return lastResolvedWarmup;
    }

    private PendingBatch pendingFor(int batchIndex) {
        return pending.computeIfAbsent(batchIndex, b -> new PendingBatch());
    }

    /** Marks a batch warm-up or measured (the first event that says so wins) and releases what waited for it. */
    private void resolve(int batchIndex, boolean isWarmup) {
        if (batchIndex < 0 || warmup(batchIndex) != null) {
            return;
        }
        (isWarmup ? warmupBatchIndices : measuredBatchIndices).add(batchIndex);
        PendingBatch p = pending.remove(batchIndex);
        if (p != null && !isWarmup) {
            ttft.add(p.ttft);
            itl.add(p.itl);
            decodeTokens += p.decodeTokens;
            decodeSteps += p.decodeSteps;
            p.flops.forEach((method, sum) -> flopsBatchSum.merge(method, sum, FlopsSum::plus));
        }
    }

    private void onTokens(TokensGenerated e) {
        Boolean w = warmup(e.batchIndex());
        if (w == Boolean.TRUE) {
            return;
        }
        if (w == null) {
            PendingBatch p = pendingFor(e.batchIndex());
            p.itl.record(e.stepDurationNanos(), e.tokenCount());
            p.decodeTokens += Math.max(0, e.tokenCount());
            p.decodeSteps++;
            return;
        }
        itl.record(e.stepDurationNanos(), e.tokenCount());
        decodeTokens += Math.max(0, e.tokenCount());
        decodeSteps++;
    }

    private void onPrefill(PrefillCompleted e) {
        Boolean w = warmup(e.batchIndex());
        if (w == Boolean.TRUE) {
            return;
        }
        (w == null ? pendingFor(e.batchIndex()).ttft : ttft).record(e.timeToFirstTokenNanos(), 1);
    }

    private void onBatchStarted(BatchStarted e) {
        long epoch = e.envelope().timeEpochNanos();
        if (!e.warmup()) {
            sequences += e.batchSize();
            paddedInputTokens += e.paddedInputTokens();
            measuredStartEpochNanos = Math.min(measuredStartEpochNanos, epoch);
        }
        resolve(e.batchIndex(), e.warmup());
    }

    private void onBatchCompleted(BatchCompleted e) {
        long epoch = e.envelope().timeEpochNanos();
        if (e.warmup()) {
            warmupBatches++;
            warmupOutputTokens += e.outputTokens();
        } else {
            batches++;
            inputTokens += e.inputTokens();
            outputTokens += e.outputTokens();
            prefillNanos += e.prefillDurationNanos();
            decodeNanos += e.decodeDurationNanos();
            batchNanos += e.durationNanos();
            measuredEndEpochNanos = Math.max(measuredEndEpochNanos, epoch);
            // if the batch's BatchStarted is missing, its start is still known from the duration
            measuredStartEpochNanos = Math.min(measuredStartEpochNanos, epoch - Math.max(0, e.durationNanos()));
            for (Map.Entry<String, Integer> r : e.finishReasons().entrySet()) {
                finishReasons.merge(r.getKey(), (long) r.getValue(), Long::sum);
            }
        }
        resolve(e.batchIndex(), e.warmup());
    }

    private void onEnergy(EnergyReading e) {
        String window = e.window();
        TreeMap<String, TreeMap<String, EnergyFigure>> target;
        if (RUN_WINDOW.equals(window)) {
            target = runEnergy;
        } else if (IDLE_WINDOW.equals(window)) {
            target = idleEnergy;
        } else {
            if (window != null && window.startsWith(BATCH_WINDOW_PREFIX)) {
                batchWindowReadings++;
            } else {
                otherWindowReadings++;
            }
            return;
        }
        String device = named(e.deviceKey());
        String method = named(e.method());
        EnergyFigure figure = new EnergyFigure(device, method, e.energyJoules(), e.windowDurationNanos(),
                e.uncertaintyJoules(), e.source(), e.envelope().seq());
        TreeMap<String, EnergyFigure> byMethod = target.computeIfAbsent(device, k -> new TreeMap<>());
        EnergyFigure previous = byMethod.get(method);
        if (previous == null || figure.supersedes(previous)) {
            byMethod.put(method, figure);
        }
    }

    private void onFlops(FlopsEstimate e) {
        String method = named(e.method());
        if (e.batchIndex() == null) {
            flopsProcessTotal.merge(method, FlopsSum.ZERO.plus(e.flops(), e.macs(), e.tokens()), FlopsSum::plus);
            return;
        }
        Boolean w = warmup(e.batchIndex());
        if (w == Boolean.TRUE) {
            return;
        }
        TreeMap<String, FlopsSum> target = w == null ? pendingFor(e.batchIndex()).flops : flopsBatchSum;
        target.merge(method, FlopsSum.ZERO.plus(e.flops(), e.macs(), e.tokens()), FlopsSum::plus);
    }

    private void onMemory(MemorySample e) {
        long peak = Math.max(e.peakBytes(), e.usedBytes());
        String device = named(e.deviceKey());
        peakMemoryBytes.merge(device, peak, Math::max);
        if (e.totalBytes() != null) {
            memoryTotalBytes.merge(device, e.totalBytes(), Math::max);
        }
    }

    private void onPower(PowerSample e) {
        powerSamples++;
        peakPowerWatts.merge(named(e.deviceKey()), e.powerWatts(), Math::max);
    }

    /** The topology routes events missing these names to the dead letters; a direct caller gets "unknown". */
    private static String named(String name) {
        return name == null ? "unknown" : name;
    }

    private void onProcessStarted(ProcessStarted e) {
        long seq = e.envelope().seq();
        if (processStartedSeq >= 0 && processStartedSeq < seq) {
            return; // the earliest ProcessStarted describes the process
        }
        processStartedSeq = seq;
        processStartedEpochNanos = e.envelope().timeEpochNanos();
        startEventId = e.envelope().eventId();
        host = e.envelope().host();
        startInfo = new StartInfo(e.hostId(), e.pid(), e.localRank(), e.numProcesses(), e.cpuModel(), e.devices(),
                e.plugins());
        startInfoBytes = null;
    }

    private void onProcessCompleted(ProcessCompleted e) {
        if (terminal != TERMINAL_FAILED) {
            terminal = TERMINAL_COMPLETED;
            terminalSeq = e.lastSeq();
            terminalEpochNanos = e.envelope().timeEpochNanos();
        }
        reported = true;
        reportedBatches = e.batches();
        reportedInputTokens = e.inputTokens();
        reportedOutputTokens = e.outputTokens();
        reportedDurationNanos = e.durationNanos();
    }

    private void onProcessFailed(ProcessFailed e) {
        // failure wins over completion whatever the arrival order
        terminal = TERMINAL_FAILED;
        terminalSeq = e.lastSeq();
        terminalEpochNanos = e.envelope().timeEpochNanos();
        failureReason = e.reason();
    }

    private void onExperimentStarted(ExperimentStarted e) {
        long seq = e.envelope().seq();
        if (experimentStartedSeq >= 0 && experimentStartedSeq < seq) {
            return;
        }
        experimentStartedSeq = seq;
        experimentStartedEpochNanos = e.envelope().timeEpochNanos();
        startEventId = e.envelope().eventId();
        configName = e.configName();
        modelName = e.modelName();
        modelRevision = e.modelRevision();
        numProcesses = e.numProcesses();
        lemVersion = e.lemVersion();
        try {
            configJson = JSON.writeValueAsString(e.config());
        } catch (JsonProcessingException ex) {
            configJson = null;
        }
        Object region = setting(e.config(), "energy", "carbon_region");
        carbonRegion = region == null ? null : String.valueOf(region);
        Object pueValue = setting(e.config(), "energy", "pue");
        pue = pueValue == null ? null : String.valueOf(pueValue);
    }

    /** {@code config.section.key}, nested ({@code {energy: {pue: 1.2}}}) or flat ({@code {"energy.pue": 1.2}}). */
    private static Object setting(Map<String, Object> config, String section, String key) {
        Object nested = config.get(section);
        if (nested instanceof Map) {
            Object v = ((Map<?, ?>) nested).get(key);
            if (v != null) {
                return v;
            }
        }
        return config.get(section + "." + key);
    }

    private void onExperimentCompleted(ExperimentCompleted e) {
        long seq = e.envelope().seq();
        if (experimentCompletedSeq > seq) {
            return; // the latest word of the launcher wins
        }
        experimentCompletedSeq = seq;
        experimentCompletedEpochNanos = e.envelope().timeEpochNanos();
        experimentEndStatus = e.status();
        experimentEndNumProcesses = e.numProcesses();
        experimentEndFailedProcesses = e.failedProcesses();
        experimentEndDurationNanos = e.durationNanos();
    }

    // ------------------------------------------------------------------------------------------------------------
    // reading

    public String experimentId() {
        return experimentId;
    }

    public int processIndex() {
        return processIndex;
    }

    /** True for the launcher's key (process index -1), which carries experiment metadata, not a process. */
    public boolean isLauncher() {
        return processIndex == LemEvent.LAUNCHER_PROCESS_INDEX;
    }

    /** Number of events folded in, duplicates included; grows by one per event (a version for ordering copies). */
    public long updates() {
        return updates;
    }

    public ProcessStatus status() {
        if (terminal == TERMINAL_FAILED) {
            return ProcessFailed.CANCELLED.equals(failureReason) ? ProcessStatus.CANCELLED : ProcessStatus.FAILED;
        }
        if (terminal == TERMINAL_COMPLETED) {
            return seqs.missingCount(terminalSeq) == 0 ? ProcessStatus.COMPLETED : ProcessStatus.INCOMPLETE;
        }
        return ProcessStatus.RUNNING;
    }

    /** Whether a terminal event (ProcessCompleted or ProcessFailed) arrived. */
    public boolean terminated() {
        return terminal != TERMINAL_NONE;
    }

    /** Distinct events applied (unknown types included). */
    public long events() {
        return seqs.size();
    }

    /** Highest seq applied, -1 when none. */
    public long lastSeq() {
        return seqs.highest();
    }

    /** The last seq announced by ProcessCompleted/ProcessFailed, -1 when none arrived. */
    public long expectedLastSeq() {
        return terminalSeq;
    }

    /** Missing seq ranges: below the announced last seq when known, else below the highest seq seen. */
    public List<long[]> missingSeqs() {
        return seqs.missing(terminalSeq >= 0 ? terminalSeq : seqs.highest());
    }

    public long missingSeqCount() {
        long n = 0;
        for (long[] r : missingSeqs()) {
            n += r[1] - r[0] + 1;
        }
        return n;
    }

    /** The applied seqs as ranges. */
    public RangeSet seqs() {
        return seqs;
    }

    public long duplicates() {
        return duplicates;
    }

    /**
     * Later runs that reused this key's experiment id: start events (ProcessStarted, ExperimentStarted) with another
     * eventId than the folded one's. From the first on, nothing more is folded in: the summary stays the first run's.
     */
    public long laterRuns() {
        return laterRuns;
    }

    /** Events not folded in because they arrived from a later run's start event on ({@link #laterRuns()}). */
    public long laterRunEvents() {
        return laterRunEvents;
    }

    public long unknownEvents() {
        return unknownEvents;
    }

    public Map<String, Long> unknownTypes() {
        return Collections.unmodifiableMap(unknownTypes);
    }

    public long eventsWithUnknownFields() {
        return eventsWithUnknownFields;
    }

    public long lateEvents() {
        return lateEvents;
    }

    /** Wall clock of the first event (ns since epoch), null when none. */
    public Long firstEventEpochNanos() {
        return firstEventEpochNanos == Long.MAX_VALUE ? null : firstEventEpochNanos;
    }

    public Long lastEventEpochNanos() {
        return lastEventEpochNanos == Long.MIN_VALUE ? null : lastEventEpochNanos;
    }

    public Long terminalEpochNanos() {
        return terminal == TERMINAL_NONE ? null : terminalEpochNanos;
    }

    public String failureReason() {
        return failureReason;
    }

    public String host() {
        return host;
    }

    public boolean processStarted() {
        return processStartedSeq >= 0;
    }

    public Long processStartedEpochNanos() {
        return processStartedSeq >= 0 ? processStartedEpochNanos : null;
    }

    private StartInfo startInfo() {
        if (startInfo == null) {
            startInfo = startInfoBytes == null ? StartInfo.NONE : StartInfo.read(new BinReader(startInfoBytes));
        }
        return startInfo;
    }

    public String hostId() {
        return startInfo().hostId();
    }

    public long pid() {
        return startInfo().pid();
    }

    public int localRank() {
        return startInfo().localRank();
    }

    /** World size the process was started with (ProcessStarted.numProcesses), 0 when unknown. */
    public int worldSize() {
        return startInfo().worldSize();
    }

    public String cpuModel() {
        return startInfo().cpuModel();
    }

    public List<DeviceInfo> devices() {
        return startInfo().devices();
    }

    public List<PluginInfo> plugins() {
        return startInfo().plugins();
    }

    public long batches() {
        return batches;
    }

    public long warmupBatches() {
        return warmupBatches;
    }

    public long warmupOutputTokens() {
        return warmupOutputTokens;
    }

    public long sequences() {
        return sequences;
    }

    public long inputTokens() {
        return inputTokens;
    }

    public long paddedInputTokens() {
        return paddedInputTokens;
    }

    public long outputTokens() {
        return outputTokens;
    }

    public long prefillNanos() {
        return prefillNanos;
    }

    public long decodeNanos() {
        return decodeNanos;
    }

    public long batchNanos() {
        return batchNanos;
    }

    /** Wall clock of the first measured batch start, null when no measured batch. */
    public Long measuredStartEpochNanos() {
        return measuredStartEpochNanos == Long.MAX_VALUE ? null : measuredStartEpochNanos;
    }

    /** Wall clock of the last measured batch end, null when no measured batch completed. */
    public Long measuredEndEpochNanos() {
        return measuredEndEpochNanos == Long.MIN_VALUE ? null : measuredEndEpochNanos;
    }

    public Map<String, Long> finishReasons() {
        return Collections.unmodifiableMap(finishReasons);
    }

    public long decodeTokens() {
        return decodeTokens;
    }

    public long decodeSteps() {
        return decodeSteps;
    }

    /** Time to first token, one value per measured batch. */
    public LatencyHistogram ttft() {
        return ttft;
    }

    /** Inter-token latency: each decode step's duration, weighted by the tokens it produced. */
    public LatencyHistogram itl() {
        return itl;
    }

    /** Batches whose per-batch events arrived but whose warm-up flag has not (held back from the totals). */
    public int unresolvedBatches() {
        return pending.size();
    }

    /** {@code run}-window energy: device key -> method -> latest figure. */
    public NavigableMap<String, TreeMap<String, EnergyFigure>> runEnergy() {
        return Collections.unmodifiableNavigableMap(runEnergy);
    }

    /** {@code idle-baseline}-window energy: device key -> method -> latest figure. */
    public NavigableMap<String, TreeMap<String, EnergyFigure>> idleEnergy() {
        return Collections.unmodifiableNavigableMap(idleEnergy);
    }

    public long batchWindowReadings() {
        return batchWindowReadings;
    }

    public long otherWindowReadings() {
        return otherWindowReadings;
    }

    /**
     * FLOPs per method for this process: the process-total estimate where one was sent, otherwise the sum over
     * measured batches.
     */
    public Map<String, FlopsSum> flops() {
        TreeMap<String, FlopsSum> out = new TreeMap<>(flopsBatchSum);
        out.putAll(flopsProcessTotal);
        return out;
    }

    /** Whether the FLOPs of {@code method} come from a process-total estimate (else from per-batch estimates). */
    public boolean flopsFromProcessTotal(String method) {
        return flopsProcessTotal.containsKey(method);
    }

    public Map<String, Long> peakMemoryBytes() {
        return Collections.unmodifiableMap(peakMemoryBytes);
    }

    public Map<String, Long> memoryTotalBytes() {
        return Collections.unmodifiableMap(memoryTotalBytes);
    }

    public Map<String, Double> peakPowerWatts() {
        return Collections.unmodifiableMap(peakPowerWatts);
    }

    public long powerSamples() {
        return powerSamples;
    }

    /** Whether ProcessCompleted arrived with its own totals. */
    public boolean hasReportedTotals() {
        return reported;
    }

    public long reportedBatches() {
        return reportedBatches;
    }

    public long reportedInputTokens() {
        return reportedInputTokens;
    }

    public long reportedOutputTokens() {
        return reportedOutputTokens;
    }

    public long reportedDurationNanos() {
        return reportedDurationNanos;
    }

    /** Whether ExperimentStarted was folded in (normally only into the launcher's summary). */
    public boolean hasExperimentStarted() {
        return experimentStartedSeq >= 0;
    }

    public Long experimentStartedEpochNanos() {
        return experimentStartedSeq >= 0 ? experimentStartedEpochNanos : null;
    }

    public String configName() {
        return configName;
    }

    public String modelName() {
        return modelName;
    }

    public String modelRevision() {
        return modelRevision;
    }

    /** Processes the launcher started (ExperimentStarted.numProcesses); 0 when unknown. */
    public int numProcesses() {
        return numProcesses;
    }

    public String lemVersion() {
        return lemVersion;
    }

    /** The resolved (redacted) experiment config as JSON text, null when unknown. */
    public String configJson() {
        return configJson;
    }

    /** {@code energy.carbon_region} of the config as written, null when unset. */
    public String carbonRegion() {
        return carbonRegion;
    }

    /** {@code energy.pue} of the config as written, null when unset. */
    public String pue() {
        return pue;
    }

    public boolean hasExperimentCompleted() {
        return experimentCompletedSeq >= 0;
    }

    public Long experimentCompletedEpochNanos() {
        return experimentCompletedSeq >= 0 ? experimentCompletedEpochNanos : null;
    }

    public String experimentEndStatus() {
        return experimentEndStatus;
    }

    public int experimentEndNumProcesses() {
        return experimentEndNumProcesses;
    }

    public int experimentEndFailedProcesses() {
        return experimentEndFailedProcesses;
    }

    public long experimentEndDurationNanos() {
        return experimentEndDurationNanos;
    }

    // ------------------------------------------------------------------------------------------------------------
    // binary format

    /**
     * The compact binary form: magic {@code L}, kind {@code P}, format version, a fixed 8-byte update counter (so
     * {@link #updatesOf(byte[])} needs no parse), then varint-coded fields; histograms stay HdrHistogram-encoded.
     * Returns the bytes this object was read from when it has not changed since.
     */
    public byte[] toBytes() {
        byte[] cached = encoded;
        if (cached != null) {
            return cached;
        }
        BinWriter w = new BinWriter(encodedLengthHint + 128);
        w.u8(MAGIC);
        w.u8(KIND);
        w.u8(FORMAT);
        w.i64(updates);
        w.str(experimentId);
        w.svar(processIndex);
        seqs.write(w);
        w.uvar(duplicates);
        w.uvar(unknownEvents);
        writeLongMap(w, unknownTypes);
        w.uvar(eventsWithUnknownFields);
        w.uvar(lateEvents);
        w.i64(firstEventEpochNanos);
        w.i64(lastEventEpochNanos);
        w.u8(terminal);
        w.svar(terminalSeq);
        w.svar(terminalEpochNanos);
        w.str(failureReason);

        w.str(host);
        w.svar(processStartedSeq);
        w.svar(processStartedEpochNanos);
        if (startInfoBytes == null && startInfo != null && startInfo != StartInfo.NONE) {
            BinWriter info = new BinWriter(256);
            startInfo.write(info);
            startInfoBytes = info.toByteArray();
        }
        w.bytes(startInfoBytes);

        warmupBatchIndices.write(w);
        measuredBatchIndices.write(w);
        w.svar(batches);
        w.svar(warmupBatches);
        w.svar(warmupOutputTokens);
        w.svar(sequences);
        w.svar(inputTokens);
        w.svar(paddedInputTokens);
        w.svar(outputTokens);
        w.svar(prefillNanos);
        w.svar(decodeNanos);
        w.svar(batchNanos);
        w.i64(measuredStartEpochNanos);
        w.i64(measuredEndEpochNanos);
        writeLongMap(w, finishReasons);
        w.svar(decodeTokens);
        w.svar(decodeSteps);
        ttft.write(w);
        itl.write(w);
        w.uvar(pending.size());
        for (Map.Entry<Integer, PendingBatch> e : pending.entrySet()) {
            w.svar(e.getKey());
            e.getValue().write(w);
        }

        writeEnergy(w, runEnergy);
        writeEnergy(w, idleEnergy);
        w.uvar(batchWindowReadings);
        w.uvar(otherWindowReadings);
        writeFlops(w, flopsBatchSum);
        writeFlops(w, flopsProcessTotal);
        writeLongMap(w, peakMemoryBytes);
        writeLongMap(w, memoryTotalBytes);
        w.uvar(peakPowerWatts.size());
        for (Map.Entry<String, Double> e : peakPowerWatts.entrySet()) {
            w.str(e.getKey());
            w.f64(e.getValue());
        }
        w.uvar(powerSamples);

        w.bool(reported);
        w.svar(reportedBatches);
        w.svar(reportedInputTokens);
        w.svar(reportedOutputTokens);
        w.svar(reportedDurationNanos);

        w.svar(experimentStartedSeq);
        w.svar(experimentStartedEpochNanos);
        w.str(configName);
        w.str(modelName);
        w.str(modelRevision);
        w.svar(numProcesses);
        w.str(lemVersion);
        w.str(configJson);
        w.str(carbonRegion);
        w.str(pue);

        w.svar(experimentCompletedSeq);
        w.svar(experimentCompletedEpochNanos);
        w.str(experimentEndStatus);
        w.svar(experimentEndNumProcesses);
        w.svar(experimentEndFailedProcesses);
        w.svar(experimentEndDurationNanos);

        // appended to format 1 later: a record without them reads as a single run
        w.str(startEventId);
        w.uvar(laterRuns);
        w.str(laterRunStartEventId);
        w.uvar(laterRunEvents);
        byte[] out = w.toByteArray();
        encoded = out;
        encodedLengthHint = out.length;
        return out;
    }

    /** Reads {@link #toBytes()} output. */
    public static ProcessSummary fromBytes(byte[] bytes) {
        if (bytes.length < UPDATES_OFFSET + 8 || (bytes[0] & 0xFF) != MAGIC || (bytes[1] & 0xFF) != KIND) {
            throw new SummaryFormatException("not a process summary record");
        }
        int format = bytes[2] & 0xFF;
        if (format != FORMAT) {
            throw new SummaryFormatException("process summary format " + format + " is not supported (this build reads "
                    + FORMAT + "); replay the events with this version");
        }
        BinReader in = new BinReader(bytes, UPDATES_OFFSET, bytes.length - UPDATES_OFFSET);
        ProcessSummary s = new ProcessSummary(false);
        s.updates = in.i64();
        s.experimentId = in.str();
        s.processIndex = in.svarInt();
        s.seqs = RangeSet.read(in);
        s.duplicates = in.uvar();
        s.unknownEvents = in.uvar();
        s.unknownTypes = readLongMap(in);
        s.eventsWithUnknownFields = in.uvar();
        s.lateEvents = in.uvar();
        s.firstEventEpochNanos = in.i64();
        s.lastEventEpochNanos = in.i64();
        s.terminal = in.u8();
        s.terminalSeq = in.svar();
        s.terminalEpochNanos = in.svar();
        s.failureReason = in.str();

        s.host = in.str();
        s.processStartedSeq = in.svar();
        s.processStartedEpochNanos = in.svar();
        s.startInfoBytes = in.bytes();

        s.warmupBatchIndices = RangeSet.read(in);
        s.measuredBatchIndices = RangeSet.read(in);
        s.batches = in.svar();
        s.warmupBatches = in.svar();
        s.warmupOutputTokens = in.svar();
        s.sequences = in.svar();
        s.inputTokens = in.svar();
        s.paddedInputTokens = in.svar();
        s.outputTokens = in.svar();
        s.prefillNanos = in.svar();
        s.decodeNanos = in.svar();
        s.batchNanos = in.svar();
        s.measuredStartEpochNanos = in.i64();
        s.measuredEndEpochNanos = in.i64();
        s.finishReasons = readLongMap(in);
        s.decodeTokens = in.svar();
        s.decodeSteps = in.svar();
        s.ttft = LatencyHistogram.read(in);
        s.itl = LatencyHistogram.read(in);
        int pendingCount = in.uvarInt();
        for (int i = 0; i < pendingCount; i++) {
            s.pending.put(in.svarInt(), PendingBatch.read(in));
        }

        s.runEnergy = readEnergy(in);
        s.idleEnergy = readEnergy(in);
        s.batchWindowReadings = in.uvar();
        s.otherWindowReadings = in.uvar();
        s.flopsBatchSum = readFlops(in);
        s.flopsProcessTotal = readFlops(in);
        s.peakMemoryBytes = readLongMap(in);
        s.memoryTotalBytes = readLongMap(in);
        int powerCount = in.uvarInt();
        for (int i = 0; i < powerCount; i++) {
            s.peakPowerWatts.put(in.str(), in.f64());
        }
        s.powerSamples = in.uvar();

        s.reported = in.bool();
        s.reportedBatches = in.svar();
        s.reportedInputTokens = in.svar();
        s.reportedOutputTokens = in.svar();
        s.reportedDurationNanos = in.svar();

        s.experimentStartedSeq = in.svar();
        s.experimentStartedEpochNanos = in.svar();
        s.configName = in.str();
        s.modelName = in.str();
        s.modelRevision = in.str();
        s.numProcesses = in.svarInt();
        s.lemVersion = in.str();
        s.configJson = in.str();
        s.carbonRegion = in.str();
        s.pue = in.str();

        s.experimentCompletedSeq = in.svar();
        s.experimentCompletedEpochNanos = in.svar();
        s.experimentEndStatus = in.str();
        s.experimentEndNumProcesses = in.svarInt();
        s.experimentEndFailedProcesses = in.svarInt();
        s.experimentEndDurationNanos = in.svar();

        if (in.hasMore()) {
            s.startEventId = in.str();
            s.laterRuns = in.uvar();
            s.laterRunStartEventId = in.str();
            s.laterRunEvents = in.uvar();
        }
        s.encoded = bytes;
        return s;
    }

    /** The update counter of an encoded summary, read without decoding the rest. */
    static long updatesOf(byte[] bytes) {
        return new BinReader(bytes, UPDATES_OFFSET, 8).i64();
    }

    /** Experiment id and process index of an encoded summary, read without decoding the rest. */
    static int processIndexOf(byte[] bytes) {
        BinReader in = new BinReader(bytes, UPDATES_OFFSET + 8, bytes.length - UPDATES_OFFSET - 8);
        in.str();
        return in.svarInt();
    }

    private static void writeLongMap(BinWriter w, TreeMap<String, Long> map) {
        w.uvar(map.size());
        for (Map.Entry<String, Long> e : map.entrySet()) {
            w.str(e.getKey());
            w.svar(e.getValue());
        }
    }

    private static TreeMap<String, Long> readLongMap(BinReader in) {
        int n = in.uvarInt();
        TreeMap<String, Long> map = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            map.put(in.str(), in.svar());
        }
        return map;
    }

    private static void writeEnergy(BinWriter w, TreeMap<String, TreeMap<String, EnergyFigure>> energy) {
        w.uvar(energy.size());
        for (TreeMap<String, EnergyFigure> byMethod : energy.values()) {
            w.uvar(byMethod.size());
            for (EnergyFigure f : byMethod.values()) {
                f.write(w);
            }
        }
    }

    private static TreeMap<String, TreeMap<String, EnergyFigure>> readEnergy(BinReader in) {
        int devices = in.uvarInt();
        TreeMap<String, TreeMap<String, EnergyFigure>> energy = new TreeMap<>();
        for (int i = 0; i < devices; i++) {
            int methods = in.uvarInt();
            for (int j = 0; j < methods; j++) {
                EnergyFigure f = EnergyFigure.read(in);
                energy.computeIfAbsent(f.deviceKey(), k -> new TreeMap<>()).put(f.method(), f);
            }
        }
        return energy;
    }

    private static void writeFlops(BinWriter w, TreeMap<String, FlopsSum> flops) {
        w.uvar(flops.size());
        for (Map.Entry<String, FlopsSum> e : flops.entrySet()) {
            w.str(e.getKey());
            e.getValue().write(w);
        }
    }

    private static TreeMap<String, FlopsSum> readFlops(BinReader in) {
        int n = in.uvarInt();
        TreeMap<String, FlopsSum> flops = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            flops.put(in.str(), FlopsSum.read(in));
        }
        return flops;
    }

    /** ProcessStarted's description of the process, apart from the host and the time. */
    private record StartInfo(String hostId, long pid, int localRank, int worldSize, String cpuModel,
                             List<DeviceInfo> devices, List<PluginInfo> plugins) {
        static final StartInfo NONE = new StartInfo(null, 0, 0, 0, null, List.of(), List.of());

        void write(BinWriter w) {
            w.str(hostId);
            w.svar(pid);
            w.svar(localRank);
            w.svar(worldSize);
            w.str(cpuModel);
            w.uvar(devices.size());
            for (DeviceInfo d : devices) {
                w.str(d.key());
                w.str(d.kind());
                w.str(d.name());
                w.str(d.uuid());
                w.bool(d.memoryTotalBytes() != null);
                if (d.memoryTotalBytes() != null) {
                    w.svar(d.memoryTotalBytes());
                }
            }
            w.uvar(plugins.size());
            for (PluginInfo p : plugins) {
                w.str(p.name());
                w.str(p.version());
                w.str(p.kind());
            }
        }

        static StartInfo read(BinReader in) {
            String hostId = in.str();
            long pid = in.svar();
            int localRank = in.svarInt();
            int worldSize = in.svarInt();
            String cpuModel = in.str();
            int deviceCount = in.uvarInt();
            List<DeviceInfo> devices = new ArrayList<>(deviceCount);
            for (int i = 0; i < deviceCount; i++) {
                String key = in.str();
                String kind = in.str();
                String name = in.str();
                String uuid = in.str();
                Long mem = in.bool() ? in.svar() : null;
                devices.add(new DeviceInfo(key, kind, name, uuid, mem));
            }
            int pluginCount = in.uvarInt();
            List<PluginInfo> plugins = new ArrayList<>(pluginCount);
            for (int i = 0; i < pluginCount; i++) {
                plugins.add(new PluginInfo(in.str(), in.str(), in.str()));
            }
            return new StartInfo(hostId, pid, localRank, worldSize, cpuModel, List.copyOf(devices),
                    List.copyOf(plugins));
        }
    }

    @Override
    public String toString() {
        return "ProcessSummary[" + experimentId + "/" + processIndex + ", " + status().json() + ", events "
                + events() + ", seqs " + seqs + "]";
    }
}
