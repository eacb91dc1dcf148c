package io.lem.runner.process;

import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.Envelope;
import io.lem.api.event.EpochClock;
import io.lem.api.event.PrefillCompleted;
import io.lem.api.event.TokensGenerated;
import io.lem.api.flops.BatchWork;
import io.lem.api.flops.FlopsCount;
import io.lem.runner.events.EventEmitter;
import io.lem.runner.generate.FinishReason;
import io.lem.runner.generate.GenerationListener;
import io.lem.runner.measure.ProcessMeasurement;

import java.util.TreeMap;
import java.util.function.Function;
import java.util.concurrent.Executor;

/**
 * Turns one {@code Generator.generate} call into events: per batch {@code BatchStarted}, {@code PrefillCompleted},
 * one {@code TokensGenerated} per decode step and {@code BatchCompleted}, each stamped with its own instant and sent
 * in one burst at the batch's end ({@link PendingEvents}), by the process's event thread (the {@code background}
 * executor): the generation thread only records them. For measured batches also the energy window
 * {@code batch-<index>} (an {@code EnergyReading} per device, emitted just before {@code BatchCompleted}; only when
 * the previous batch lasted at least the sources' longest update period, see {@link #onBatchStart}; such a batch's
 * events are sent on the generation thread, after the event thread has caught up) and the batch's
 * {@code FlopsEstimate}s (every analytic method of the FLOPs plugins, then {@code counted}), estimated and emitted on
 * the event thread after the batch's burst, stamped with the batch's end.
 * Warm-up batches get only the four batch events, flagged {@code warmup=true}.
 *
 * <p>Batch indices are the generator's plus {@code indexOffset}, so they stay unique within the process across the
 * warm-up call and the measured call. Before each callback's work the cancellation check runs, so a cancelled process
 * stops within one decode step.
 */
final class BatchEvents implements GenerationListener {

    private final EventEmitter emitter;
    private final ProcessMeasurement measurement;
    private final Executor background;
    private final int indexOffset;
    private final boolean warmup;
    private final boolean batchWindows;
    private final Runnable cancelCheck;
    private final ProgressListener progress;
    private final int processIndex;
    private final int plannedBatches;
    private final long processStartNanos;

    private final Runnable drainBackground;
    private final PendingEvents pending;
    /** Shortest batch that gets its own energy window: the longest update period of the open sources. */
    private final long minWindowNanos;
    /** Duration of the previous batch (of this call, or the one given by the process); MAX before any. */
    private long previousBatchNanos;
    private boolean windowed;
    private long batchStartNanos;
    private long batchInputTokens;
    // the batch under way, for a BatchCompleted of what it did should the generation stop inside it (cutShort)
    private boolean inBatch;
    private int batchIndex;
    private int batchSize;
    private long batchPrefillNanos;
    private long batchOutputTokens;
    private long batchDecodeNanos;

    private int batches;
    private long inputTokens;
    private long outputTokens;
    private long firstStartNanos;
    private long lastEndNanos;

    /**
     * @param background      the process's event thread: runs each batch's burst of events and its FLOPs
     *                        estimates, in order, off the generation thread
     * @param drainBackground waits until everything given to {@code background} so far has run: before events are
     *                        emitted on this thread, so that seqs stay in the order things happened
     */
    BatchEvents(EventEmitter emitter, ProcessMeasurement measurement, Executor background, Runnable drainBackground,
                int indexOffset, boolean warmup, boolean batchWindows, Runnable cancelCheck,
                ProgressListener progress, int processIndex, int plannedBatches, long processStartNanos) {
        this.emitter = emitter;
        this.measurement = measurement;
        this.background = background;
        this.drainBackground = drainBackground;
        this.pending = new PendingEvents(background);
        this.indexOffset = indexOffset;
        this.warmup = warmup;
        this.batchWindows = batchWindows && !warmup;
        this.cancelCheck = cancelCheck;
        this.progress = progress;
        this.processIndex = processIndex;
        this.plannedBatches = plannedBatches;
        this.processStartNanos = processStartNanos;
        this.minWindowNanos = measurement.longestUpdatePeriod().toNanos();
        this.previousBatchNanos = Long.MAX_VALUE;
    }

    /**
     * The duration of a batch run before this call (the last warm-up batch): a first measured batch shorter than
     * the sources' update period then gets no energy window either.
     */
    void previousBatch(long nanos) {
        previousBatchNanos = nanos;
    }

    /** Duration of the last batch this listener saw; 0 before one ended. */
    long lastBatchNanos() {
        return previousBatchNanos == Long.MAX_VALUE ? 0 : previousBatchNanos;
    }

    @Override
    public void onBatchStart(BatchStart e) {
        cancelCheck.run();
        int i = indexOffset + e.batchIndex();
        batchInputTokens = e.inputTokens();
        boolean w = warmup;
        pending.add((epoch, mono) -> emitter.emitAt(epoch, mono, env -> new BatchStarted(env, i, e.batchSize(),
                e.inputTokens(), e.paddedInputTokens(), w)));
        // a batch gets its own energy window when the previous one lasted at least the sources' update period:
        // shorter windows are unreliable (and flagged so), and on a small model reading every source at both ends
        // of a ~10 ms batch cost more than everything else lem does per batch
        windowed = batchWindows && previousBatchNanos >= minWindowNanos;
        if (windowed) {
            measurement.begin(ProcessMeasurement.batchWindow(i));
        }
        batchStartNanos = System.nanoTime();
        if (batches == 0) {
            firstStartNanos = batchStartNanos;
        }
        inBatch = true;
        batchIndex = i;
        batchSize = e.batchSize();
        batchPrefillNanos = 0;
        batchOutputTokens = 0;
        batchDecodeNanos = 0;
    }

    @Override
    public void onPrefillDone(PrefillDone e) {
        cancelCheck.run();
        int i = indexOf(e.batchIndex());
        long tokens = batchInputTokens;
        long ttft = e.timeToFirstTokenNanos();
        pending.add((epoch, mono) -> emitter.emitAt(epoch, mono, env -> new PrefillCompleted(env, i, ttft, tokens)));
        batchPrefillNanos = ttft;
        batchOutputTokens += e.tokensProduced();
    }

    @Override
    public void onDecodeStep(DecodeStep e) {
        cancelCheck.run();
        int i = indexOf(e.batchIndex());
        int step = e.step();
        int tokens = e.tokensProduced();
        long nanos = e.stepNanos();
        pending.add((epoch, mono) -> emitter.emitAt(epoch, mono, env -> new TokensGenerated(env, i, step, tokens,
                nanos)));
        batchOutputTokens += tokens;
        batchDecodeNanos += nanos;
    }

    /**
     * Sends the events still waiting ({@link PendingEvents}) on this thread, after everything handed over before
     * them. Called before a batch's energy window closes, and by the process after a generation ended however it
     * ended, so that everything reported is sent before what the process emits next.
     */
    void flushPending() {
        drainBackground.run();
        pending.flush();
    }

    /**
     * {@link #flushPending()} after a generation ended, however it ended: an emitter failure is returned instead of
     * thrown, so that it cannot hide why the generation failed.
     */
    RuntimeException flushPendingAfterGeneration() {
        try {
            flushPending();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /**
     * The generation stopped inside a batch ({@code reason}: {@code cancelled} or {@code failed}): sends a
     * {@code BatchCompleted} of what the batch did up to the last step it reported (tokens, durations; every sequence
     * under finish reason {@code reason}), so that its tokens are counted with the energy its time drew. A measured
     * batch only, and only once; nothing when no batch was under way. The events are queued: flush them after.
     */
    void cutShort(String reason) {
        if (!inBatch || warmup) {
            return;
        }
        inBatch = false;
        long end = System.nanoTime();
        int i = batchIndex;
        long in = batchInputTokens;
        long out = batchOutputTokens;
        long prefill = batchPrefillNanos;
        long decode = batchDecodeNanos;
        long duration = end - batchStartNanos;
        TreeMap<String, Integer> reasons = new TreeMap<>();
        reasons.put(reason, batchSize);
        pending.add((epoch, mono) -> emitter.emitAt(epoch, mono, env -> new BatchCompleted(env, i, in, out, prefill,
                decode, duration, false, reasons)));
        batches++;
        inputTokens += in;
        outputTokens += out;
        lastEndNanos = end;
    }

    @Override
    public void onBatchEnd(BatchEnd e) {
        inBatch = false;
        long end = System.nanoTime();
        int i = indexOf(e.batchIndex());
        TreeMap<String, Integer> reasons = new TreeMap<>();
        for (FinishReason r : e.finishReasons()) {
            if (r != null) {
                reasons.merge(r.label(), 1, Integer::sum);
            }
        }
        long in = e.totalInputTokens();
        long out = e.totalOutputTokens();
        long duration = end - batchStartNanos;
        previousBatchNanos = duration;
        long prefill = e.prefillNanos();
        long decode = e.decodeNanos();
        boolean w = warmup;
        Function<Envelope, BatchCompleted> completed = env -> new BatchCompleted(env, i, in, out, prefill, decode,
                duration, w, reasons);
        if (windowed) {
            // the window's readings are emitted here, between the batch's events and BatchCompleted
            flushPending();
            measurement.end(ProcessMeasurement.batchWindow(i));
            emitter.emit(completed);
        } else {
            pending.add((epoch, mono) -> emitter.emitAt(epoch, mono, completed));
            pending.handOver();
        }
        if (warmup && batches == 0) {
            // nothing is sent for a warm-up batch's FLOPs, but the first one runs the estimators and encodes their
            // events, so that the first measured batch does not build Jackson's serializers for them
            measurement.primeFlops(new BatchWork(e.inputTokens(), e.outputTokens()));
        }
        if (!warmup) {
            // estimated and sent by the event thread (stamped now): with cold caches between two batches the
            // estimators and their four events cost ~100 µs, 1-2 % of a small model's batch
            BatchWork work = new BatchWork(e.inputTokens(), e.outputTokens());
            FlopsCount counted = e.countedFlops();
            long epoch = EpochClock.nowEpochNanos();
            long mono = System.nanoTime();
            background.execute(() -> {
                measurement.emitFlopsAt(epoch, mono, i, work);
                if (counted != null) {
                    measurement.emitCountedFlopsAt(epoch, mono, i, counted.flops(), counted.macs(), in + out,
                            counted.breakdown());
                }
            });
        }
        batches++;
        inputTokens += in;
        outputTokens += out;
        lastEndNanos = end;
        progress.onProgress(new Progress(processIndex, warmup ? Progress.WARMUP : Progress.RUN, batches,
                plannedBatches, inputTokens, outputTokens, System.nanoTime() - processStartNanos,
                measurement.latestPowerWatts()));
    }

    private int indexOf(int generatorIndex) {
        return indexOffset + generatorIndex;
    }

    int batches() {
        return batches;
    }

    long inputTokens() {
        return inputTokens;
    }

    long outputTokens() {
        return outputTokens;
    }

    /** First batch start to last batch end; 0 before a batch completed. */
    long spanNanos() {
        return batches == 0 ? 0 : lastEndNanos - firstStartNanos;
    }

    /** The event batch index of generator batch {@code generatorIndex}. */
    int eventIndex(int generatorIndex) {
        return indexOf(generatorIndex);
    }
}
