package io.lem.runner.measure;

import io.lem.api.energy.DomainEnergy;
import io.lem.api.energy.EnergyMonitor;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.Measurement;
import io.lem.api.event.DeviceInfo;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.EventCodec;
import io.lem.api.event.Envelope;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.PluginInfo;
import io.lem.api.flops.BatchWork;
import io.lem.api.flops.ModelArchitecture;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import io.lem.api.plugin.PluginKind;
import io.lem.runner.config.EnergySettings;
import io.lem.runner.events.EventEmitter;
import io.lem.runner.plugins.DiscoveredPlugin;
import io.lem.runner.plugins.EnergySelection;
import io.lem.runner.plugins.PluginRegistry;
import io.lem.runner.plugins.PluginSelectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * What one runner process measures: its energy sources, measurement windows, power/memory sampling, the idle
 * baseline and FLOPs estimates, all emitted through the process's {@link EventEmitter}. Created once per process:
 *
 * <pre>{@code
 * try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter)
 *         .energySettings(config.energy()).model(architecture).open()) {  // selects and opens; emits nothing
 *     emitter.emit(env -> new ProcessStarted(env, hostId, pid, rank, n, m.devices(), cpu, m.plugins()));
 *     m.startSampling();                                                   // PowerSample / MemorySample
 *     m.measureIdleBaseline(config.energy().idleBaselineSeconds());        // optional
 *     m.begin("run");
 *     for (...) { m.begin(batchWindow(i)); ...; m.end(batchWindow(i)); m.emitFlops(i, work); }
 *     m.end("run");                                                        // EnergyReading per device
 * }                                                                        // stops the sampler, closes sources
 * }</pre>
 *
 * <p>Synchronize device work (e.g. CUDA) before {@link #begin}/{@link #end}: a window reads the counters when
 * called. Windows may overlap and are named uniquely among open ones. {@link #close()} does not end open windows:
 * a window the caller did not end (a failed run) yields no reading.
 *
 * <p>Thread-safe: the sampler thread and the caller emit concurrently; the emitter keeps seqs gap-free.
 */
public final class ProcessMeasurement implements AutoCloseable {

    /** Window of the idle baseline. */
    public static final String IDLE_BASELINE_WINDOW = "idle-baseline";
    /** Window around all measured batches. */
    public static final String RUN_WINDOW = "run";
    /** FLOPs method of the engine's own count of executed matmuls. */
    public static final String COUNTED_METHOD = "counted";
    /** Name of the sampling thread. */
    public static final String SAMPLER_THREAD_NAME = PowerSampler.THREAD_NAME;

    private static final Logger log = LoggerFactory.getLogger(ProcessMeasurement.class);

    private final EventEmitter emitter;
    private final EnergySelection selection;
    private final List<GuardedSource> sources;
    private final List<UnopenedSource> unopened;
    private final List<DeviceInfo> devices;
    private final Map<String, Integer> deviceOrder;
    private final List<PluginInfo> plugins;
    private final EnergyMonitor monitor;
    private final LongSupplier monoClock;
    private final Sleeper sleeper;
    private final Duration samplingInterval;
    private final FlopsEstimators flops;
    private final boolean modelGiven;
    private final Set<String> shortWindowWarned = ConcurrentHashMap.newKeySet();
    private final Object lifecycle = new Object();
    private volatile PowerSampler sampler;
    /** This process's own memory, sampled with the sources' readings; null when not asked for. */
    private final ProcessMemory processMemory;
    private volatile IdleBaseline idleBaseline;
    private volatile boolean closed;

    private ProcessMeasurement(Builder b, EnergySelection selection, List<GuardedSource> sources,
                               List<UnopenedSource> unopened, FlopsEstimators flops) {
        this.emitter = b.emitter;
        this.selection = selection;
        this.sources = List.copyOf(sources);
        this.unopened = List.copyOf(unopened);
        this.monoClock = b.monoClock;
        this.sleeper = b.sleeper;
        this.samplingInterval = b.samplingInterval != null ? b.samplingInterval
                : b.registry.context().samplingInterval();
        this.processMemory = b.procRoot == null ? null
                : ProcessMemory.of(b.procRoot, emitter.host(), emitter.processIndex());
        this.flops = flops;
        this.modelGiven = b.model != null;
        Map<String, DeviceInfo> byKey = new LinkedHashMap<>();
        for (GuardedSource s : this.sources) {
            for (DeviceInfo d : s.devices()) {
                byKey.putIfAbsent(d.key(), d); // the first source wins, as in EnergyMonitor
            }
        }
        this.devices = List.copyOf(byKey.values());
        Map<String, Integer> order = new HashMap<>();
        for (DeviceInfo d : devices) {
            order.put(d.key(), order.size());
        }
        this.deviceOrder = order;
        List<PluginInfo> infos = new ArrayList<>();
        this.sources.forEach(s -> infos.add(s.plugin().info()));
        flops.plugins().forEach(p -> infos.add(p.info()));
        this.plugins = List.copyOf(infos);
        this.monitor = new EnergyMonitor(new ArrayList<EnergySource>(this.sources), monoClock);
    }

    /** Starts configuring the measurement of a process whose plugins {@code registry} discovered. */
    public static Builder builder(PluginRegistry registry, EventEmitter emitter) {
        return new Builder(registry, emitter);
    }

    /** The window name of batch {@code index}: {@code batch-<index>}. */
    public static String batchWindow(int index) {
        return "batch-" + index;
    }

    public static final class Builder {
        private final PluginRegistry registry;
        private final EventEmitter emitter;
        private Collection<String> energyInclude = List.of();
        private Collection<String> energyExclude = List.of();
        private Collection<String> flopsInclude = List.of();
        private Collection<String> flopsExclude = List.of();
        private ModelArchitecture model;
        private Duration samplingInterval;
        private LongSupplier monoClock = System::nanoTime;
        private Sleeper sleeper = Sleeper.monotonic();
        private Path procRoot;

        private Builder(PluginRegistry registry, EventEmitter emitter) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.emitter = Objects.requireNonNull(emitter, "emitter");
        }

        /** Energy plugins to run (empty: every available one) and to leave out; see {@link PluginRegistry#selectEnergy}. */
        public Builder energyPlugins(Collection<String> include, Collection<String> exclude) {
            this.energyInclude = include == null ? List.of() : List.copyOf(include);
            this.energyExclude = exclude == null ? List.of() : List.copyOf(exclude);
            return this;
        }

        /**
         * {@code energy.plugins} and {@code energy.exclude_plugins} of the config. Names of FLOPs plugins in those
         * lists select FLOPs plugins (as {@link #flopsPlugins}), names of carbon plugins are left to the carbon
         * selection, every other name is an energy plugin (an unknown one fails at {@link #open()}).
         */
        public Builder energySettings(EnergySettings settings) {
            List<String> energy = new ArrayList<>();
            List<String> flops = new ArrayList<>();
            List<String> energyExcluded = new ArrayList<>();
            List<String> flopsExcluded = new ArrayList<>();
            route(settings.plugins(), energy, flops);
            route(settings.excludePlugins(), energyExcluded, flopsExcluded);
            energyPlugins(energy, energyExcluded);
            return flopsPlugins(flops, flopsExcluded);
        }

        private void route(List<String> names, List<String> energy, List<String> flops) {
            for (String name : names) {
                boolean isEnergy = registry.find(PluginKind.ENERGY, name).isPresent();
                boolean isFlops = registry.find(PluginKind.FLOPS, name).isPresent();
                boolean isCarbon = registry.find(PluginKind.CARBON, name).isPresent();
                if (isFlops) {
                    flops.add(name);
                }
                if (isEnergy || !(isFlops || isCarbon)) {
                    energy.add(name);
                }
            }
        }

        /** FLOPs plugins to use (empty: every available one) and to leave out; see {@link PluginRegistry#selectFlops}. */
        public Builder flopsPlugins(Collection<String> include, Collection<String> exclude) {
            this.flopsInclude = include == null ? List.of() : List.copyOf(include);
            this.flopsExclude = exclude == null ? List.of() : List.copyOf(exclude);
            return this;
        }

        /** The model (its {@code config.json}) whose batches {@link #emitFlops} estimates; without it, no estimates. */
        public Builder model(ModelArchitecture model) {
            this.model = model;
            return this;
        }

        /** Interval of the power sampler; default the registry context's (which the plugins were given too). */
        public Builder samplingInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("samplingInterval must be positive, was " + interval);
            }
            this.samplingInterval = interval;
            return this;
        }

        /** The monotonic clock of window edges and durations (nanoseconds); default {@link System#nanoTime()}. */
        public Builder monoClock(LongSupplier monoClock) {
            this.monoClock = Objects.requireNonNull(monoClock, "monoClock");
            return this;
        }

        /**
         * Also sample this process's own memory ({@link ProcessMemory}: resident set and its peak) from
         * {@code procRoot}, normally {@code /proc}; default off.
         */
        public Builder processMemory(Path procRoot) {
            this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
            return this;
        }

        /** How the idle baseline waits; default {@link Sleeper#monotonic()}. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * Selects the energy sources for this process's local rank (host-level ones on local rank 0 only) and opens
         * them with the registry's context; a source that fails to open is skipped (WARN, {@link #unopened()}).
         * Emits nothing.
         *
         * @throws PluginSelectionException an unknown or unavailable requested plugin (the registry's one line)
         */
        public ProcessMeasurement open() {
            PluginContext context = registry.context();
            EnergySelection selection = registry.selectEnergy(energyInclude, energyExclude, context.localRank());
            List<DiscoveredPlugin> flopsPlugins = registry.selectFlops(flopsInclude, flopsExclude);
            FlopsEstimators estimators = model == null ? FlopsEstimators.none()
                    : FlopsEstimators.of(flopsPlugins, model);

            List<GuardedSource> opened = new ArrayList<>();
            List<UnopenedSource> failed = new ArrayList<>();
            try {
                for (DiscoveredPlugin plugin : selection.selected()) {
                    String reason = null;
                    Thread thread = Thread.currentThread();
                    ClassLoader previous = thread.getContextClassLoader();
                    thread.setContextClassLoader(plugin.classLoader());
                    try {
                        EnergySource source = plugin.energy().open(context);
                        if (source == null) {
                            reason = "open returned no source";
                        } else {
                            opened.add(new GuardedSource(plugin, source));
                        }
                    } catch (PluginException e) {
                        reason = e.getMessage() == null || e.getMessage().isBlank() ? GuardedSource.describe(e)
                                : GuardedSource.oneLine(e.getMessage());
                    } catch (RuntimeException | LinkageError e) {
                        reason = "open failed: " + GuardedSource.describe(e);
                        log.debug("opening energy plugin {}", plugin.name(), e);
                    } finally {
                        thread.setContextClassLoader(previous);
                    }
                    if (reason != null) {
                        UnopenedSource u = new UnopenedSource(plugin.name(), plugin.version(), reason);
                        failed.add(u);
                        log.warn("energy plugin {} is skipped: its source did not open: {}", plugin.name(), reason);
                    }
                }
            } catch (RuntimeException | Error e) {
                opened.forEach(GuardedSource::close);
                throw e;
            }
            ProcessMeasurement m = new ProcessMeasurement(this, selection, opened, failed, estimators);
            log.info("energy sources open: {}{}{}", opened.isEmpty() ? "none" : opened.stream()
                            .map(s -> s.pluginName() + " (" + s.devices().size()
                                    + (s.devices().size() == 1 ? " device)" : " devices)"))
                            .collect(Collectors.joining(", ")),
                    failed.isEmpty() ? "" : "; not opened: " + failed,
                    selection.notRun().isEmpty() ? "" : "; not run: " + selection.notRun());
            return m;
        }
    }

    /** Devices measured, first source wins per key: for {@code ProcessStarted.devices}. */
    public List<DeviceInfo> devices() {
        return devices;
    }

    /** Energy plugins whose sources opened, then FLOPs plugins in use: for {@code ProcessStarted.plugins}. */
    public List<PluginInfo> plugins() {
        return plugins;
    }

    /** The registry's selection: what was asked to run, and why every other energy plugin does not. */
    public EnergySelection energySelection() {
        return selection;
    }

    /** Names of the energy plugins whose sources are open, in reading order (rank, then name). */
    public List<String> openedSources() {
        return sources.stream().map(GuardedSource::pluginName).toList();
    }

    /** Selected sources that failed to open, with the reason. */
    public List<UnopenedSource> unopened() {
        return unopened;
    }

    public Duration samplingInterval() {
        return samplingInterval;
    }

    /**
     * The longest update period of the open sources: the shortest window every one of them resolves (a shorter
     * one is flagged unreliable in its readings); zero when no source is open.
     */
    public Duration longestUpdatePeriod() {
        Duration longest = Duration.ZERO;
        for (GuardedSource source : sources) {
            if (source.updatePeriod().compareTo(longest) > 0) {
                longest = source.updatePeriod();
            }
        }
        return longest;
    }

    /**
     * Starts the {@value #SAMPLER_THREAD_NAME} thread: every sampling interval a {@code PowerSample} per device
     * with a power reading and a {@code MemorySample} per device with a memory reading, stamped with the instant of
     * the reading and sent in bursts at most a second later (and by {@link #close()}). Call it after emitting
     * {@code ProcessStarted}. With {@link Builder#processMemory}, also a {@code MemorySample} of this process every
     * few seconds and at the end. Idempotent; no thread when there is nothing to sample.
     */
    public void startSampling() {
        synchronized (lifecycle) {
            requireOpen();
            if (sampler != null || (sources.isEmpty() && processMemory == null)) {
                return;
            }
            sampler = new PowerSampler(sources, samplingInterval, emitter, processMemory);
            sampler.start();
        }
    }

    /**
     * The sampler's latest power reading per device key, sorted by key: what live progress shows. Empty before
     * sampling starts or when no source reads power.
     */
    public Map<String, Double> latestPowerWatts() {
        PowerSampler s = sampler; // read without the lock: called after every batch
        return s == null ? Map.of() : s.latestPowerWatts();
    }

    /** PowerSample and MemorySample events emitted so far. */
    public long samplesEmitted() {
        synchronized (lifecycle) {
            return sampler == null ? 0 : sampler.samplesEmitted();
        }
    }

    /** {@link #measureIdleBaseline(Duration)} for {@code energy.idle_baseline_seconds}; nothing when it is 0. */
    public Optional<IdleBaseline> measureIdleBaseline(double seconds) throws InterruptedException {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("idle baseline seconds must be finite and >= 0, was " + seconds);
        }
        return measureIdleBaseline(Duration.ofNanos(Math.round(seconds * 1e9)));
    }

    /**
     * Measures idle power before the run: a {@value #IDLE_BASELINE_WINDOW} window over {@code duration} during which
     * the caller does nothing, emitting an {@code EnergyReading} per device. A zero duration does nothing. The
     * result is kept ({@link #idleBaseline()}); measuring twice is an error.
     *
     * @throws InterruptedException when interrupted while waiting: the window is discarded, nothing is emitted
     */
    public Optional<IdleBaseline> measureIdleBaseline(Duration duration) throws InterruptedException {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("idle baseline duration must be >= 0, was " + duration);
        }
        if (duration.isZero()) {
            return Optional.empty();
        }
        requireOpen();
        if (idleBaseline != null) {
            throw new IllegalStateException("the idle baseline was already measured");
        }
        log.info("measuring idle power for {} s before the run", duration.toMillis() / 1000.0);
        monitor.begin(IDLE_BASELINE_WINDOW);
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException | RuntimeException e) {
            monitor.end(IDLE_BASELINE_WINDOW); // discard
            throw e;
        }
        Measurement measurement = end(IDLE_BASELINE_WINDOW);
        IdleBaseline baseline = IdleBaseline.of(measurement);
        idleBaseline = baseline;
        log.info("idle power: {}", baseline.idlePowerWatts().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + String.format(java.util.Locale.ROOT, "%.2f W", e.getValue()))
                .collect(Collectors.joining(", ")));
        return Optional.of(baseline);
    }

    /** The idle baseline, once measured. */
    public Optional<IdleBaseline> idleBaseline() {
        return Optional.ofNullable(idleBaseline);
    }

    /** Per-device idle power in watts; empty without an idle baseline. */
    public Map<String, Double> idlePowerWatts() {
        IdleBaseline b = idleBaseline;
        return b == null ? Map.of() : b.idlePowerWatts();
    }

    /** Opens a window over every open source; the name must not be open already. */
    public void begin(String window) {
        Objects.requireNonNull(window, "window");
        requireOpen();
        monitor.begin(window);
    }

    /**
     * Ends a window and emits one {@code EnergyReading} per device measured over all of it (a device missing at
     * either edge is absent: no reading, never 0), in device order.
     */
    public Measurement end(String window) {
        Objects.requireNonNull(window, "window");
        requireOpen();
        Measurement measurement = monitor.end(window);
        List<DomainEnergy> domains = new ArrayList<>(measurement.domains().values());
        domains.sort(Comparator.comparingInt((DomainEnergy d) -> deviceOrder.getOrDefault(d.deviceKey(),
                Integer.MAX_VALUE)).thenComparing(DomainEnergy::deviceKey));
        for (DomainEnergy d : domains) {
            if (d.shorterThanUpdatePeriod() && shortWindowWarned.add(d.deviceKey())) {
                log.info("window '{}' ({} ms) is shorter than the update period of {} ({}): such short windows of "
                                + "this device are unreliable (said once per device)", window,
                        measurement.durationNanos() / 1_000_000, d.deviceKey(), d.source());
            }
            emitter.emit(env -> new EnergyReading(env, d.deviceKey(), d.method().label(), window, d.energyJoules(),
                    measurement.durationNanos(), d.uncertaintyJoules(), d.source()));
        }
        return measurement;
    }

    /** Names of the open windows. */
    public List<String> openWindows() {
        return monitor.openWindows();
    }

    /** The FLOPs methods {@link #emitFlops} emits for the model, in order; empty without a model. */
    public List<String> flopsMethods() {
        return flops.methodNames();
    }

    /**
     * Runs the FLOPs estimators on a warm-up batch's work and encodes the events they would give, sending nothing: the
     * estimators' code and the events' JSON serializers (which Jackson builds on a type's first use) are then ready
     * before the measured window, whose first batch would otherwise pay for them (milliseconds; a tenth of a
     * quickstart-sized batch). Does nothing without a model.
     */
    public void primeFlops(BatchWork work) {
        Objects.requireNonNull(work, "work");
        if (!modelGiven) {
            return;
        }
        requireOpen();
        long tokens = Math.addExact(work.totalInputTokens(), work.totalOutputTokens());
        EventCodec codec = new EventCodec();
        Envelope env = Envelope.now("prime", 0, 0, "prime");
        for (FlopsEstimators.Estimate e : flops.estimate(work)) {
            codec.encode(flopsEvent(env, e, 0, tokens));
        }
    }

    private static FlopsEstimate flopsEvent(Envelope env, FlopsEstimators.Estimate e, int batchIndex, long tokens) {
        return new FlopsEstimate(env, e.method(), batchIndex, e.count().flops(), e.count().macs(), tokens,
                e.count().breakdown());
    }

    /**
     * Emits one {@code FlopsEstimate} per FLOPs method for batch {@code batchIndex}: tokens = input + output tokens,
     * breakdown as the estimator returns it. A method that fails is logged once and left out.
     *
     * @return the events emitted
     * @throws IllegalStateException when no model was given to the builder
     */
    public List<FlopsEstimate> emitFlops(int batchIndex, BatchWork work) {
        return emitFlops(batchIndex, work, false, 0, 0);
    }

    /**
     * As {@link #emitFlops(int, BatchWork)} for a batch that ended earlier: the events carry that instant
     * ({@link io.lem.api.event.EpochClock#nowEpochNanos()} and {@link System#nanoTime()} then), as
     * {@link EventEmitter#emitAt} stamps them.
     */
    public List<FlopsEstimate> emitFlopsAt(long epochNanos, long monoNanos, int batchIndex, BatchWork work) {
        return emitFlops(batchIndex, work, true, epochNanos, monoNanos);
    }

    private List<FlopsEstimate> emitFlops(int batchIndex, BatchWork work, boolean at, long epochNanos,
                                          long monoNanos) {
        Objects.requireNonNull(work, "work");
        if (batchIndex < 0) {
            throw new IllegalArgumentException("batchIndex must be >= 0, was " + batchIndex);
        }
        if (!modelGiven) {
            throw new IllegalStateException("no model architecture was given to ProcessMeasurement.builder().model()");
        }
        requireOpen();
        long tokens = Math.addExact(work.totalInputTokens(), work.totalOutputTokens());
        List<FlopsEstimate> emitted = new ArrayList<>();
        for (FlopsEstimators.Estimate e : flops.estimate(work)) {
            Function<Envelope, FlopsEstimate> event = env -> flopsEvent(env, e, batchIndex, tokens);
            emitted.add(at ? emitter.emitAt(epochNanos, monoNanos, event) : emitter.emit(event));
        }
        return emitted;
    }

    /**
     * Emits the engine's own count of the matmuls it executed, method {@value #COUNTED_METHOD}.
     *
     * @param batchIndex the batch, or null for a process total
     * @param breakdown  FLOPs per component, may be null
     */
    public FlopsEstimate emitCountedFlops(Integer batchIndex, double flops, double macs, long tokens,
                                          Map<String, Double> breakdown) {
        return emitCountedFlops(batchIndex, flops, macs, tokens, breakdown, false, 0, 0);
    }

    /** As {@link #emitCountedFlops} for a batch that ended earlier, stamped with that instant. */
    public FlopsEstimate emitCountedFlopsAt(long epochNanos, long monoNanos, Integer batchIndex, double flops,
                                            double macs, long tokens, Map<String, Double> breakdown) {
        return emitCountedFlops(batchIndex, flops, macs, tokens, breakdown, true, epochNanos, monoNanos);
    }

    private FlopsEstimate emitCountedFlops(Integer batchIndex, double flops, double macs, long tokens,
                                           Map<String, Double> breakdown, boolean at, long epochNanos,
                                           long monoNanos) {
        if (!FlopsEstimators.finiteNonNegative(flops) || !FlopsEstimators.finiteNonNegative(macs) || tokens < 0) {
            throw new IllegalArgumentException("counted FLOPs must be finite and >= 0, were flops=" + flops
                    + " macs=" + macs + " tokens=" + tokens);
        }
        if (batchIndex != null && batchIndex < 0) {
            throw new IllegalArgumentException("batchIndex must be >= 0, was " + batchIndex);
        }
        requireOpen();
        Function<Envelope, FlopsEstimate> event = env -> new FlopsEstimate(env, COUNTED_METHOD, batchIndex, flops,
                macs, tokens, breakdown);
        return at ? emitter.emitAt(epochNanos, monoNanos, event) : emitter.emit(event);
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the process measurement is closed");
        }
    }

    /**
     * Stops the sampler and closes every source. Open windows are not ended (they yield no reading; end them
     * first). Does not close the registry or the emitter's sink. Idempotent.
     */
    @Override
    public void close() {
        PowerSampler toStop;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = sampler;
        }
        if (toStop != null) {
            toStop.close();
        }
        List<String> open = monitor.openWindows();
        if (!open.isEmpty()) {
            log.info("closing the measurement with windows {} still open: they are not measured", open);
        }
        for (GuardedSource source : sources) {
            source.close();
        }
    }
}
