package io.lem.runner.process;

import io.lem.api.event.Envelope;
import io.lem.api.event.LemEvent;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import io.lem.api.event.ProcessStarted;
import io.lem.api.flops.ModelArchitecture;
import io.lem.api.plugin.PluginContext;
import io.lem.runner.config.ConfigException;
import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.events.EventEmitter;
import io.lem.runner.events.HandOffSink;
import io.lem.runner.generate.GenerationConfig;
import io.lem.runner.generate.GenerationResult;
import io.lem.runner.generate.Generator;
import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.ModelLocator;
import io.lem.runner.model.hub.HubSettings;
import io.lem.runner.model.hub.ModelResolutionException;
import io.lem.runner.model.tokenizer.LemTokenizer;
import io.lem.runner.model.weights.WeightStore;
import io.lem.runner.measure.JitSettle;
import io.lem.runner.measure.ProcessMeasurement;
import io.lem.runner.plugins.PluginDirectories;
import io.lem.runner.plugins.PluginDiscovery;
import io.lem.runner.plugins.PluginRegistry;
import io.lem.runner.plugins.PluginSelectionException;
import io.lem.runner.prompts.InputTemplate;
import io.lem.runner.prompts.Prompt;
import io.lem.runner.prompts.PromptException;
import io.lem.runner.prompts.PromptSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Runs ONE process of an experiment end to end and turns it into events. See the package documentation for the
 * event stream it produces, the warm-up semantics and cancellation.
 *
 * <pre>{@code
 * RunnerSettings settings = RunnerSettings.builder(config, experimentId, sink).processIndex(i).numProcesses(n)
 *         .localRank(r).device("gpu:0").lemHome(home).build();
 * RunnerOutcome outcome = new RunnerProcess(settings, progress -> ...).run();   // closes the sink
 * }</pre>
 *
 * <p>{@link #run()} never throws because the experiment failed: every failure after the event emitter exists ends the
 * event stream with a {@code ProcessFailed} (one-line reason, {@code lastSeq} = its own seq) and is returned as a
 * {@link RunnerOutcome} with status FAILED; what was emitted before stays. {@link #cancel()} (from any thread) makes
 * the run stop at its next safe point (within one decode step) with status CANCELLED and reason
 * {@value #CANCELLED_REASON}.
 */
public final class RunnerProcess {

    /** The {@code ProcessFailed} reason of a cancelled process. */
    public static final String CANCELLED_REASON = ProcessFailed.CANCELLED;

    /** Longest failure reason kept, in characters. */
    static final int MAX_REASON_LENGTH = 2000;

    private static final Logger log = LoggerFactory.getLogger(RunnerProcess.class);
    /** Longest wait for the JIT compilers to go quiet before the run window opens ({@link JitSettle}). */
    private static final Duration JIT_SETTLE_LIMIT = Duration.ofSeconds(2);
    /** Where the process's own memory is read ({@code VmRSS}, {@code VmHWM}); absent outside Linux: no reading. */
    private static final Path PROC = Path.of("/proc");

    private final RunnerSettings settings;
    private final ProgressListener progress;
    private final HandOffSink handOff;
    private final EndGuardSink sink;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicLong terminalSeq = new AtomicLong(-1);
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean cancelRequested;
    private volatile EventEmitter emitter;
    private volatile ProcessMeasurement measurement;
    private volatile String phase = "starting";

    public RunnerProcess(RunnerSettings settings) {
        this(settings, ProgressListener.NONE);
    }

    public RunnerProcess(RunnerSettings settings, ProgressListener progress) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.progress = progress == null ? ProgressListener.NONE : progress;
        // the generation thread hands its events over instead of encoding and writing them itself
        this.handOff = new HandOffSink(settings.sink(), "lem-events-p" + settings.processIndex());
        this.sink = new EndGuardSink(handOff);
    }

    public RunnerSettings settings() {
        return settings;
    }

    /** Asks the run to stop at its next safe point; it then ends with ProcessFailed("cancelled"). Any thread. */
    public void cancel() {
        cancelRequested = true;
        cancelled.countDown();
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    /** Whether {@link #run()} has returned (or is about to: its sink is closed). */
    public boolean isFinished() {
        return finished.getCount() == 0;
    }

    /** Waits until {@link #run()} has ended the event stream and closed the sink. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * For a shutdown hook: {@link #cancel()}, then wait up to {@code grace} for the run to stop by itself. A run stuck
     * where it cannot stop (downloading or loading a model, inside one very long forward pass) has its event stream
     * ended from this thread instead: the sampler stops, ProcessFailed("cancelled") is emitted, the sink is flushed and
     * closed (bounded by the sink's own close timeout).
     *
     * @return true when the run stopped by itself within {@code grace}
     */
    public boolean cancelAndAwait(Duration grace) {
        cancel();
        try {
            if (awaitFinished(grace)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!started.get()) {
            return true; // never ran: nothing was emitted
        }
        log.warn("process {} did not stop within {} ms of the cancellation: ending its event stream now",
                settings.processIndex(), grace.toMillis());
        try {
            endStream(env -> new ProcessFailed(env, CANCELLED_REASON, env.seq()));
        } catch (RuntimeException e) {
            log.error("cannot emit ProcessFailed for process {}: {}", settings.processIndex(), e.toString());
        }
        sink.close();
        return false;
    }

    /**
     * Runs the process: see the package documentation for the sequence. Returns when the event stream has ended
     * and the sink is closed. Runs once.
     */
    public RunnerOutcome run() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a RunnerProcess runs once");
        }
        long startNanos = System.nanoTime();
        RunnerSettings s = settings;
        RunState state = new RunState();
        EventEmitter em;
        try {
            em = new EventEmitter(s.experimentId(), s.processIndex(), s.host(), sink);
        } catch (RuntimeException e) {
            sink.close();
            finished.countDown();
            return state.outcome(RunnerOutcome.Status.FAILED, System.nanoTime() - startNanos, -1,
                    reason("starting", e));
        }
        emitter = em;
        Resources resources = new Resources();
        RunnerOutcome outcome;
        try {
            execute(em, resources, state, startNanos);
            // an event refused after the last safe point still fails the process (in the phase it belongs to)
            handOff.drain();
            checkCancelled();
            phase = "finishing";
            long seq = endStream(env -> new ProcessCompleted(env, env.seq(), state.batches(), state.inputTokens(),
                    state.outputTokens(), state.durationNanos()));
            outcome = seq >= 0
                    ? state.outcome(RunnerOutcome.Status.COMPLETED, System.nanoTime() - startNanos, seq, null)
                    : state.outcome(RunnerOutcome.Status.CANCELLED, System.nanoTime() - startNanos,
                    terminalSeq.get(), CANCELLED_REASON);
            log.info("process {} completed: {} batches, {} output tokens in {} ms (measured window)",
                    s.processIndex(), state.batches(), state.outputTokens(), state.durationNanos() / 1_000_000);
        } catch (Throwable t) {
            boolean wasCancelled = cancelRequested;
            String reason;
            try {
                reason = wasCancelled ? CANCELLED_REASON : reason(phase, t);
            } catch (Throwable describing) { // e.g. a class missing from a broken installation
                reason = (phase + ": " + t).replaceAll("\\s*\\R\\s*", " ");
            }
            String failure = reason;
            long seq = -1;
            try {
                seq = endStream(env -> new ProcessFailed(env, failure, env.seq()));
            } catch (RuntimeException | Error e) {
                log.error("cannot emit ProcessFailed for process {}: {}", s.processIndex(), e.toString());
            }
            if (seq < 0) {
                seq = terminalSeq.get();
            }
            try {
                if (wasCancelled) {
                    log.warn("process {} cancelled while {}", s.processIndex(), phase);
                } else if (explained(t)) {
                    log.error("process {} failed: {}", s.processIndex(), reason);
                    log.debug("process {} failure", s.processIndex(), t);
                } else {
                    log.error("process {} failed: {}", s.processIndex(), reason, t);
                }
            } catch (RuntimeException | LinkageError e) {
                // logging is best effort; the event and the outcome carry the reason
            }
            outcome = state.outcome(wasCancelled ? RunnerOutcome.Status.CANCELLED : RunnerOutcome.Status.FAILED,
                    System.nanoTime() - startNanos, seq, reason);
        } finally {
            closeMeasurement();
            resources.close();
            try {
                sink.close();
            } catch (RuntimeException e) {
                log.error("cannot close the event sink of process {}: {}", s.processIndex(), e.toString());
            }
            finished.countDown();
        }
        return outcome;
    }

    private void execute(EventEmitter em, Resources res, RunState state, long startNanos) throws Exception {
        RunnerSettings s = settings;
        ExperimentConfig config = s.config();

        if (s.localWorldSize() > 1) {
            // joined first, so that the other local processes know this one is coming
            phase = "joining the local processes";
            res.peers = LocalPeers.join(LocalPeers.directory(s.lemHome(), s.experimentId(), s.host()), s.localRank(),
                    s.localWorldSize());
        }

        // Prompts first: cheap, and a bad prompts file should fail before a model download.
        phase = "loading prompts";
        PromptSet prompts = PromptSet.load(config.prompts(), config.taskType()).first(config.numInputPrompts());
        List<Prompt> shard = prompts.shard(s.processIndex(), s.numProcesses());
        if (shard.isEmpty()) {
            log.warn("process {} of {} has no prompts: {} has {} prompts for {} processes", s.processIndex(),
                    s.numProcesses(), prompts.origin(), prompts.size(), s.numProcesses());
        }
        checkCancelled();

        phase = "resolving model " + config.modelName();
        ModelFiles files = ModelLocator.locate(config.modelName(), config.revision(),
                HubSettings.fromEnv(hubEnvironment(config, s.environment())), s.lemHome());
        InferenceEngine.checkEncoderDecoder(config.isEncoderDecoder(), files.config());
        checkCancelled();

        phase = "opening energy and FLOPs plugins";
        PluginContext context = new PluginContext(s.host(), s.localRank(),
                Duration.ofMillis(config.energy().samplingIntervalMs()), s.pluginSettings(), s.environment());
        res.registry = PluginDiscovery.builder().directories(pluginDirectories(s)).build().discover(context);
        ProcessMeasurement m = ProcessMeasurement.builder(res.registry, em).energySettings(config.energy())
                .model(architecture(files)).sleeper(this::cancellableSleep).processMemory(PROC).open();
        measurement = m;
        checkCancelled();

        phase = "loading model " + files.displayName();
        res.tokenizer = LemTokenizer.load(files);
        try (WeightStore weights = files.openWeights()) {
            res.model = InferenceEngine.load(files.engineConfig(), weights, EngineOptions.of(config, s.device()));
        }
        checkCancelled();

        phase = "starting measurement";
        HostInfo host = HostInfo.detect(s.host());
        em.emit(env -> new ProcessStarted(env, host.hostId(), host.pid(), s.localRank(), s.numProcesses(),
                m.devices(), host.cpuModel(), m.plugins()));
        int batchSize = config.batchingOptions().batchSize();
        int plannedBatches = (shard.size() + batchSize - 1) / batchSize;
        progress.onProgress(new Progress(s.processIndex(), Progress.STARTED, 0, plannedBatches, 0, 0,
                System.nanoTime() - startNanos, Map.of()));
        log.info("process {} of {}: {} of the {} prompts of {}, model {} on {}, {} warm-up + {} measured batches",
                s.processIndex(), s.numProcesses(), shard.size(), prompts.size(), prompts.origin(),
                files.displayName(), s.device(), shard.isEmpty() ? 0 : config.warmupBatches(), plannedBatches);
        m.startSampling();
        if (config.energy().idleBaselineSeconds() > 0) {
            // the local processes idle together: one still loading or already warming up would leave the host (and
            // rank 0's host-level meters) anything but idle
            meetLocalPeers(res, LocalPeers.IDLE);
            checkCancelled();
            phase = "measuring the idle baseline";
            m.measureIdleBaseline(config.energy().idleBaselineSeconds());
            meetLocalPeers(res, LocalPeers.IDLE_END);
        }
        checkCancelled();

        phase = "encoding prompts";
        LemTokenizer tokenizer = res.tokenizer;
        InputTemplate template = InputTemplate.of(config, files.modelType());
        List<int[]> encoded = new ArrayList<>(shard.size());
        for (Prompt p : shard) {
            encoded.add(tokenizer.encode(template.apply(p.text())));
        }
        GenerationConfig generation = GenerationConfig.of(config,
                Arrays.stream(tokenizer.eosTokenIds()).boxed().toList(), tokenizer.padTokenId());
        Generator generator = new Generator(res.model, generation,
                config.saveOutputs() ? ids -> tokenizer.decode(ids, true) : null);

        if (config.warmupBatches() > 0 && !encoded.isEmpty()) {
            phase = "warming up";
            List<int[]> warm = warmupPrompts(encoded, config.warmupBatches(), batchSize);
            state.warmup = new BatchEvents(em, m, handOff::later, handOff::drain, 0, true, false,
                    this::checkCancelled, progress, s.processIndex(), config.warmupBatches(), startNanos);
            try {
                generator.generate(warm, state.warmup);
            } finally {
                flushPending(state.warmup); // a failed or cancelled batch: what it reported is sent
            }
        }
        checkCancelled();

        if (encoded.isEmpty()) {
            return; // no batches: no run window, ProcessCompleted with zero totals
        }
        phase = "generating";
        BatchEvents run = new BatchEvents(em, m, handOff::later, handOff::drain, state.warmupBatches(), false,
                s.batchEnergyWindows(), this::checkCancelled, progress, s.processIndex(), plannedBatches, startNanos);
        if (state.warmup != null && state.warmup.lastBatchNanos() > 0) {
            run.previousBatch(state.warmup.lastBatchNanos());
        }
        state.run = run;
        Duration settled = JitSettle.await(JIT_SETTLE_LIMIT);
        log.debug("process {}: JIT compilers quiet after {} ms", s.processIndex(), settled.toMillis());
        meetLocalPeers(res, LocalPeers.START);
        checkCancelled();
        m.begin(ProcessMeasurement.RUN_WINDOW);
        List<GenerationResult> results;
        try {
            // nobody generates before every window on the host, rank 0's host-level one above all, is open
            meetLocalPeers(res, LocalPeers.OPEN);
            checkCancelled();
            results = generator.generate(encoded, run);
        } catch (RuntimeException e) {
            // cancelled or failed part way: the batches done are reported, the one cut short with what it did, and
            // so is what they drew (the window up to here), rather than a run with tokens and no energy
            run.cutShort(e instanceof RunCancelledException ? "cancelled" : "failed");
            flushPending(run);
            endRunWindowEarly(m, e);
            throw e;
        } finally {
            flushPending(run); // a failed or cancelled batch: what it reported is sent
        }
        // the window stays open until the host's last process is done: local rank 0's host-level meters then cover
        // every local batch, and a GPU that finished early is counted while the experiment still holds it
        meetLocalPeers(res, LocalPeers.END);
        m.end(ProcessMeasurement.RUN_WINDOW);

        if (config.saveOutputs()) {
            phase = "saving outputs";
            state.outputsFile = OutputsFile.write(s.outputsFile(), shard, results, run::eventIndex);
            log.info("process {}: generated text written to {}", s.processIndex(), state.outputsFile);
        }
    }

    /** Ends the run window of a generation that stopped with {@code cause}; a failure to do so is logged. */
    private void endRunWindowEarly(ProcessMeasurement m, RuntimeException cause) {
        try {
            m.end(ProcessMeasurement.RUN_WINDOW);
            log.info("process {}: run window ended early ({}), its energy is reported", settings.processIndex(),
                    cause instanceof RunCancelledException ? "cancelled" : cause.toString());
        } catch (RuntimeException e) {
            log.warn("process {}: the run window could not be ended after {}: {}", settings.processIndex(),
                    cause.toString(), e.toString());
        }
    }

    /**
     * Waits at {@code point} for the other processes of the experiment on this host, if there are any. A cancellation
     * or a failed sink stops the wait without throwing: at {@code end} this process has generated every batch, so
     * its run window still closes and is reported before the next safe point ends the process as cancelled.
     */
    private void meetLocalPeers(Resources res, String point) throws InterruptedException {
        if (res.peers == null) {
            return;
        }
        String previous = phase;
        phase = "waiting for the other local processes at '" + point + "'";
        LocalPeers.Meeting meeting = res.peers.meet(point, () -> cancelRequested || handOff.failure() != null);
        log.debug("process {}: {} the other local processes at '{}' after {} ms{}", settings.processIndex(),
                meeting.stopped() ? "stopped waiting for" : "met", point,
                TimeUnit.NANOSECONDS.toMillis(meeting.waitedNanos()),
                meeting.without().isEmpty() ? "" : ", without local rank(s) " + meeting.without());
        phase = previous;
    }

    /**
     * Ends the event stream with {@code terminal}, once: stops the sampler first so that the terminal event is the
     * last of the process, emits, flushes.
     *
     * @return the terminal event's seq, or -1 when the stream had already been ended (by a cancellation)
     */
    private long endStream(Function<Envelope, LemEvent> terminal) {
        handOff.drain(); // the FLOPs estimates still queued run while the measurement is open
        closeMeasurement();
        EventEmitter em = emitter;
        if (em == null || !ended.compareAndSet(false, true)) {
            return -1;
        }
        LemEvent event;
        try {
            event = em.emit(terminal);
        } catch (RuntimeException | Error e) {
            ended.set(false); // let a ProcessFailed try after a ProcessCompleted that could not be sent
            throw e;
        }
        long seq = event.envelope().seq();
        terminalSeq.set(seq);
        try {
            sink.flush();
        } catch (RuntimeException e) {
            log.error("cannot flush the events of process {}: {}", settings.processIndex(), e.toString());
        }
        return seq;
    }

    private void closeMeasurement() {
        ProcessMeasurement m = measurement;
        if (m != null) {
            try {
                m.close();
            } catch (RuntimeException e) {
                log.warn("closing the measurement of process {}: {}", settings.processIndex(), e.toString());
            }
        }
    }

    /** At every safe point: stops on a cancellation, and on a sink that refused an event (a disk failure). */
    private void checkCancelled() {
        if (cancelRequested) {
            throw new RunCancelledException();
        }
        RuntimeException sinkFailure = handOff.failure();
        if (sinkFailure != null) {
            throw sinkFailure;
        }
    }

    /** The idle baseline's wait, cut short by {@link #cancel()} (the measurement then discards the window). */
    private void cancellableSleep(Duration duration) throws InterruptedException {
        if (cancelled.await(duration.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new InterruptedException(CANCELLED_REASON);
        }
    }

    /**
     * Sends the steps a generation reported but did not send; a failure to send is logged, not thrown over the
     * generation's own outcome.
     */
    private static void flushPending(BatchEvents events) {
        RuntimeException failed = events.flushPendingAfterGeneration();
        if (failed != null) {
            log.warn("could not send the last decode steps' events: {}", failed.toString());
        }
    }

    /**
     * The prompts of the warm-up: {@code batches × batchSize} prompts from the start of the shard, starting over when
     * the shard is shorter, so that warm-up always runs {@code batches} full batches.
     */
    static List<int[]> warmupPrompts(List<int[]> shard, int batches, int batchSize) {
        if (shard.isEmpty()) {
            return List.of();
        }
        int n = Math.toIntExact(Math.multiplyExact((long) batches, (long) batchSize));
        List<int[]> warm = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            warm.add(shard.get(k % shard.size()));
        }
        return warm;
    }

    /** The model's config.json for the FLOPs estimators; top-level nulls dropped (they read as absent). */
    static ModelArchitecture architecture(ModelFiles files) {
        Map<String, Object> present = new LinkedHashMap<>();
        files.config().forEach((k, v) -> {
            if (k != null && v != null) {
                present.put(k, v);
            }
        });
        String type = files.modelType();
        return new ModelArchitecture(type == null ? "" : type, present);
    }

    /** The environment the hub client sees: the config's {@code hf_token} as HF_TOKEN when the environment has none. */
    static Map<String, String> hubEnvironment(ExperimentConfig config, Map<String, String> environment) {
        Optional<String> token = config.resolveHfToken(environment);
        if (token.isEmpty() || token.get().equals(environment.get(ExperimentConfig.HF_TOKEN_ENV))) {
            return environment;
        }
        Map<String, String> env = new HashMap<>(environment);
        env.put(ExperimentConfig.HF_TOKEN_ENV, token.get());
        return env;
    }

    /** {@code --plugins-dir}s, then {@code ./plugins}, then {@code <lemHome>/plugins}. */
    static PluginDirectories pluginDirectories(RunnerSettings s) {
        return new PluginDirectories(s.pluginsDirs(),
                List.of(Path.of("plugins").toAbsolutePath(), s.lemHome().resolve("plugins")));
    }

    /** {@code <phase>: <message>} on one line; exceptions written for users keep their message alone. */
    static String reason(String phase, Throwable t) {
        String message = t.getMessage();
        String text;
        if (message == null || message.isBlank()) {
            text = t.getClass().getSimpleName();
        } else if (explained(t)) {
            text = message;
        } else {
            text = t.getClass().getSimpleName() + ": " + message;
        }
        String line = (phase + ": " + text).replaceAll("\\s*\\R\\s*", " ").strip();
        return line.length() <= MAX_REASON_LENGTH ? line : line.substring(0, MAX_REASON_LENGTH - 3) + "...";
    }

    /** Exceptions whose message is written for users (or names the file or value at fault): no class name needed. */
    static boolean explained(Throwable t) {
        return t instanceof EngineException || t instanceof PromptException || t instanceof ConfigException
                || t instanceof PluginSelectionException || t instanceof ModelResolutionException
                || t instanceof IOException || t instanceof UncheckedIOException
                || t instanceof IllegalArgumentException;
    }

    /** What the run has done so far: read from the batch listeners, so a failed run reports its partial work. */
    private static final class RunState {
        BatchEvents warmup;
        BatchEvents run;
        Path outputsFile;

        int batches() {
            return run == null ? 0 : run.batches();
        }

        int warmupBatches() {
            return warmup == null ? 0 : warmup.batches();
        }

        long inputTokens() {
            return run == null ? 0 : run.inputTokens();
        }

        long outputTokens() {
            return run == null ? 0 : run.outputTokens();
        }

        long durationNanos() {
            return run == null ? 0 : run.spanNanos();
        }

        RunnerOutcome outcome(RunnerOutcome.Status status, long totalNanos, long lastSeq, String error) {
            return new RunnerOutcome(status, batches(), warmupBatches(), inputTokens(), outputTokens(),
                    durationNanos(), totalNanos, lastSeq, error, outputsFile);
        }
    }

    /** What the run opened, closed at the end whatever happened (after the measurement). */
    private final class Resources {
        LocalPeers peers;
        PluginRegistry registry;
        LemTokenizer tokenizer;
        LoadedModel model;

        void close() {
            closeQuietly("local meeting", peers); // first: the other local processes stop waiting for this one
            closeQuietly("model", model);
            closeQuietly("tokenizer", tokenizer);
            closeQuietly("plugin registry", registry);
        }

        private void closeQuietly(String what, AutoCloseable c) {
            if (c == null) {
                return;
            }
            try {
                c.close();
            } catch (Exception | LinkageError e) {
                log.warn("closing the {} of process {}: {}", what, settings.processIndex(), e.toString());
            }
        }
    }
}
