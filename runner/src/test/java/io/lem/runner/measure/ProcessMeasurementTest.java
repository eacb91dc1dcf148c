package io.lem.runner.measure;

import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.Measurement;
import io.lem.api.energy.MemoryReading;
import io.lem.api.energy.Scope;
import io.lem.api.event.DeviceInfo;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.MemorySample;
import io.lem.api.event.PluginInfo;
import io.lem.api.event.PowerSample;
import io.lem.api.event.ProcessStarted;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import io.lem.runner.events.EventEmitter;
import io.lem.runner.plugins.DiscoveredPlugin;
import io.lem.runner.plugins.PluginRegistry;
import io.lem.runner.plugins.PluginUnavailableException;
import io.lem.runner.plugins.UnknownPluginException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/** ProcessMeasurement over scripted energy plugins, a fake monotonic clock and a collecting sink. */
class ProcessMeasurementTest {

    private static final PluginContext CONTEXT = PluginContext.local("node-1").withEnvironment(Map.of());
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final CollectingSink sink = new CollectingSink();
    @TempDir
    Path tmp;
    private final EventEmitter emitter = new EventEmitter("exp-1", 0, "node-1", sink);

    private static PluginRegistry registry(PluginContext context, ScriptedEnergy... providers) {
        return PluginRegistry.of(Arrays.stream(providers).map(p -> DiscoveredPlugin.of(p, "test", context)).toList(),
                List.of(), context);
    }

    private ProcessMeasurement.Builder builder(PluginRegistry registry) {
        return ProcessMeasurement.builder(registry, emitter).monoClock(clock::get);
    }

    @Test
    void runWindowEmitsOneEnergyReadingPerDeviceWithTheRightNumbers() {
        ScriptedEnergy gpu = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a")
                .counter("gpu:GPU-a", EnergyMethod.COUNTER, 100.0, 0.003);
        ScriptedEnergy cpu = new ScriptedEnergy("scripted-cpu", Scope.HOST, 50, "cpu:node-1:package-0")
                .counter("cpu:node-1:package-0", EnergyMethod.MODEL, 10.0, 1.0);
        try (ProcessMeasurement m = builder(registry(CONTEXT, gpu, cpu)).open()) {
            assertThat(m.openedSources()).containsExactly("scripted-gpu", "scripted-cpu");
            m.begin(ProcessMeasurement.RUN_WINDOW);
            clock.addAndGet(2_500_000_000L);
            gpu.counter("gpu:GPU-a", EnergyMethod.COUNTER, 350.0, 0.004);
            cpu.counter("cpu:node-1:package-0", EnergyMethod.MODEL, 40.0, 2.5);
            Measurement run = m.end(ProcessMeasurement.RUN_WINDOW);

            assertThat(run.name()).isEqualTo("run");
            assertThat(run.durationNanos()).isEqualTo(2_500_000_000L);
            assertThat(run.energyJoules("gpu:GPU-a")).hasValue(250.0);
            List<EnergyReading> readings = sink.events(EnergyReading.class);
            assertThat(readings).extracting(EnergyReading::deviceKey, EnergyReading::method, EnergyReading::window,
                            EnergyReading::windowDurationNanos, EnergyReading::source)
                    .containsExactly(
                            tuple("gpu:GPU-a", "counter", "run", 2_500_000_000L, "scripted-gpu"),
                            tuple("cpu:node-1:package-0", "model", "run", 2_500_000_000L, "scripted-cpu"));
            assertThat(readings.get(0).energyJoules()).isCloseTo(250.0, within(1e-9));
            assertThat(readings.get(0).uncertaintyJoules()).as("counter: read errors in quadrature")
                    .isCloseTo(0.005, within(1e-12));
            assertThat(readings.get(1).energyJoules()).isCloseTo(30.0, within(1e-9));
            assertThat(readings.get(1).uncertaintyJoules()).as("model: what accrued in the window")
                    .isCloseTo(1.5, within(1e-12));
            assertThat(m.openWindows()).isEmpty();
        }
    }

    @Test
    void aDeviceAbsentAtAWindowEdgeHasNoReadingRatherThanZero() {
        ScriptedEnergy gpu = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a", "gpu:GPU-b")
                .counter("gpu:GPU-a", EnergyMethod.COUNTER, 5.0, null);
        try (ProcessMeasurement m = builder(registry(CONTEXT, gpu)).open()) {
            m.begin("batch-0");                                   // GPU-b absent at the start
            gpu.counter("gpu:GPU-b", EnergyMethod.COUNTER, 7.0, null);
            clock.addAndGet(1_000_000_000L);
            gpu.add("gpu:GPU-a", 3.0);
            m.begin("batch-1");
            gpu.energy.remove("gpu:GPU-a");                       // GPU-a absent at the end of batch-1
            gpu.add("gpu:GPU-b", 4.0);
            Measurement batch0 = m.end("batch-0");
            Measurement batch1 = m.end("batch-1");

            assertThat(batch0.domains()).isEmpty();
            assertThat(batch1.domains()).containsOnlyKeys("gpu:GPU-b");
            assertThat(sink.events(EnergyReading.class))
                    .extracting(EnergyReading::window, EnergyReading::deviceKey, EnergyReading::energyJoules)
                    .containsExactly(tuple("batch-1", "gpu:GPU-b", 4.0));
            assertThat(m.devices()).extracting(DeviceInfo::key).containsExactly("gpu:GPU-a", "gpu:GPU-b");
        }
    }

    @Test
    void samplerEmitsPowerAndMemorySamplesAtTheIntervalOnlyForDevicesWithReadings() throws Exception {
        ScriptedEnergy gpu = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a", "gpu:GPU-b");
        gpu.power.put("gpu:GPU-a", 250.5);
        gpu.power.put("gpu:GPU-b", 80.0);
        gpu.memory.put("gpu:GPU-a", new MemoryReading("gpu:GPU-a", 1_000, 2_000, 80_000L));
        ScriptedEnergy quiet = new ScriptedEnergy("quiet", Scope.PROCESS, 10, "dram:node-1:0"); // no power, no memory
        Duration interval = Duration.ofMillis(20);
        ProcessMeasurement m = builder(registry(CONTEXT, gpu, quiet)).samplingInterval(interval).open();
        Thread samplerThread;
        try {
            assertThat(sink.events()).as("opening emits nothing").isEmpty();
            long started = System.nanoTime();
            m.startSampling();
            m.startSampling(); // idempotent: still one thread
            sink.await("5 power samples of GPU-b and 5 memory samples", TIMEOUT, events ->
                    count(events, PowerSample.class, s -> s.deviceKey().equals("gpu:GPU-b")) >= 5
                            && count(events, MemorySample.class, s -> true) >= 5);
            samplerThread = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(ProcessMeasurement.SAMPLER_THREAD_NAME)).findFirst().orElseThrow();
            assertThat(samplerThread.isDaemon()).isTrue();
            assertThat(Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(ProcessMeasurement.SAMPLER_THREAD_NAME))).hasSize(1);

            List<PowerSample> power = sink.events(PowerSample.class);
            assertThat(power).extracting(PowerSample::deviceKey).containsOnly("gpu:GPU-a", "gpu:GPU-b");
            assertThat(power).filteredOn(s -> s.deviceKey().equals("gpu:GPU-a"))
                    .allSatisfy(s -> {
                        assertThat(s.powerWatts()).isEqualTo(250.5);
                        assertThat(s.source()).isEqualTo("scripted-gpu");
                    });
            assertThat(sink.events(MemorySample.class)).allSatisfy(s -> {
                assertThat(s.deviceKey()).isEqualTo("gpu:GPU-a");
                assertThat(s.usedBytes()).isEqualTo(1_000);
                assertThat(s.peakBytes()).isEqualTo(2_000);
                assertThat(s.totalBytes()).isEqualTo(80_000L);
            });
            // fixed rate: the k-th tick is due no earlier than start + k × interval, so never more ticks than that
            List<PowerSample> ofB = power.stream().filter(s -> s.deviceKey().equals("gpu:GPU-b")).toList();
            long last = ofB.get(ofB.size() - 1).envelope().monoNanos();
            assertThat(ofB.size()).isLessThanOrEqualTo((int) ((last - started) / interval.toNanos()) + 1);
            assertThat(m.samplesEmitted()).isEqualTo(sink.events(PowerSample.class).size()
                    + sink.events(MemorySample.class).size());
            assertThat(m.latestPowerWatts()).as("what live progress shows")
                    .containsExactly(Map.entry("gpu:GPU-a", 250.5), Map.entry("gpu:GPU-b", 80.0));
        } finally {
            m.close();
        }
        assertThat(samplerThread.isAlive()).as("close stops the sampler").isFalse();
        assertThat(gpu.opened).allSatisfy(s -> assertThat(s.closed).isTrue());
        assertThat(quiet.opened).allSatisfy(s -> assertThat(s.closed).isTrue());
    }

    @Test
    void aHostLevelSourceIsNotOpenedOnLocalRank1ButIsOnRank0() {
        ScriptedEnergy gpu = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a");
        ScriptedEnergy rapl = new ScriptedEnergy("scripted-rapl", Scope.HOST, 80, "cpu:node-1:package-0");
        try (ProcessMeasurement m = builder(registry(CONTEXT.withLocalRank(1), gpu, rapl)).open()) {
            assertThat(rapl.opens).hasValue(0);
            assertThat(m.openedSources()).containsExactly("scripted-gpu");
            assertThat(m.devices()).extracting(DeviceInfo::key).containsExactly("gpu:GPU-a");
            assertThat(m.plugins()).extracting(PluginInfo::name).containsExactly("scripted-gpu");
            assertThat(m.energySelection().notRun()).singleElement().satisfies(n -> {
                assertThat(n.plugin().name()).isEqualTo("scripted-rapl");
                assertThat(n.reason()).contains("local rank 0").contains("local rank 1");
            });
        }
        try (ProcessMeasurement m = builder(registry(CONTEXT, gpu, rapl)).open()) {
            assertThat(rapl.opens).hasValue(1);
            assertThat(m.devices()).extracting(DeviceInfo::key).containsExactly("gpu:GPU-a", "cpu:node-1:package-0");
        }
    }

    @Test
    void aSourceThatFailsToOpenIsSkippedLoggedAndReportedAndTheOthersStillMeasure() {
        ScriptedEnergy good = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a")
                .counter("gpu:GPU-a", EnergyMethod.COUNTER, 0, null);
        ScriptedEnergy refuses = new ScriptedEnergy("refuses", Scope.PROCESS, 50, "gpu:GPU-z");
        refuses.openFailure = new PluginException("no NVIDIA driver: libnvidia-ml.so.1 not found");
        ScriptedEnergy crashes = new ScriptedEnergy("crashes", Scope.PROCESS, 40, "x:1");
        crashes.openFailure = new IllegalStateException("boom");
        try (CapturedLog log = new CapturedLog(ProcessMeasurement.class);
             ProcessMeasurement m = builder(registry(CONTEXT, good, refuses, crashes)).open()) {
            assertThat(m.unopened()).extracting(UnopenedSource::plugin, UnopenedSource::version,
                            UnopenedSource::reason)
                    .containsExactly(
                            tuple("refuses", "1.2.3-test", "no NVIDIA driver: libnvidia-ml.so.1 not found"),
                            tuple("crashes", "1.2.3-test", "open failed: IllegalStateException: boom"));
            assertThat(log.messages("WARN")).containsExactly(
                    "energy plugin refuses is skipped: its source did not open: no NVIDIA driver: "
                            + "libnvidia-ml.so.1 not found",
                    "energy plugin crashes is skipped: its source did not open: open failed: "
                            + "IllegalStateException: boom");
            assertThat(m.openedSources()).containsExactly("scripted-gpu");
            assertThat(m.plugins()).containsExactly(new PluginInfo("scripted-gpu", "1.2.3-test", "energy"));
            assertThat(m.devices()).extracting(DeviceInfo::key).containsExactly("gpu:GPU-a");

            m.begin("run");
            clock.addAndGet(1_000_000_000L);
            good.add("gpu:GPU-a", 12.0);
            assertThat(m.end("run").domains()).containsOnlyKeys("gpu:GPU-a");
        }
    }

    @Test
    void anUnknownOrUnavailableRequestedPluginFailsAtStartWithTheRegistrysOneLineMessage() {
        ScriptedEnergy gpu = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a");
        ScriptedEnergy off = new ScriptedEnergy("off", Scope.PROCESS, 10, "x:0");
        off.availability = Availability.no("switched off for the test");
        PluginRegistry registry = registry(CONTEXT, gpu, off);

        assertThatThrownBy(() -> builder(registry).energyPlugins(List.of("scripted-gpuu"), List.of()).open())
                .isInstanceOf(UnknownPluginException.class)
                .hasMessage("unknown energy plugin 'scripted-gpuu'; known: scripted-gpu, off");
        assertThatThrownBy(() -> builder(registry).energyPlugins(List.of("off"), List.of()).open())
                .isInstanceOf(PluginUnavailableException.class)
                .hasMessage("energy plugin 'off' is not available: switched off for the test");
        assertThat(gpu.opens).as("nothing opened before the selection failed").hasValue(0);

        try (ProcessMeasurement m = builder(registry).energyPlugins(List.of(), List.of("scripted-gpu")).open()) {
            assertThat(m.openedSources()).as("unavailable and not asked for: simply not run").isEmpty();
            m.startSampling();
            assertThat(m.samplesEmitted()).isZero();
        }
    }

    @Test
    void withNoEnergySourceTheProcessMemoryIsStillSampled() throws Exception {
        Path proc = ProcessMemoryTest.fakeProc(tmp.resolve("proc"),
                "VmHWM:\t2048 kB\nVmRSS:\t1024 kB\n", "MemTotal:\t4096 kB\n");
        ProcessMeasurement m = builder(registry(CONTEXT)).processMemory(proc).open();
        try {
            assertThat(m.openedSources()).isEmpty();
            m.startSampling();
        } finally {
            m.close(); // the last send always holds the process's memory (its peak is what results report)
        }
        assertThat(sink.events(MemorySample.class)).hasSize(1).allSatisfy(s -> {
            assertThat(s.deviceKey()).isEqualTo("rss:node-1:process-0");
            assertThat(s.usedBytes()).isEqualTo(1024 * 1024);
            assertThat(s.peakBytes()).isEqualTo(2048 * 1024);
            assertThat(s.totalBytes()).isEqualTo(4096L * 1024);
        });
        assertThat(sink.events(PowerSample.class)).isEmpty();
        assertThat(m.samplesEmitted()).isEqualTo(sink.events(MemorySample.class).size());
    }

    @Test
    void idleBaselineEmitsIdleBaselineReadingsAndExposesIdlePower() throws Exception {
        ScriptedEnergy gpu = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a", "gpu:GPU-b")
                .counter("gpu:GPU-a", EnergyMethod.COUNTER, 1_000.0, null);
        // waiting 2 s idle: the fake clock advances and GPU-a draws 60 W; GPU-b has no reading at all
        Sleeper idle = duration -> {
            clock.addAndGet(duration.toNanos());
            gpu.add("gpu:GPU-a", 60.0 * duration.toNanos() / 1e9);
        };
        try (ProcessMeasurement m = builder(registry(CONTEXT, gpu)).sleeper(idle).open()) {
            assertThat(m.measureIdleBaseline(0.0)).as("0 = off").isEmpty();
            assertThat(sink.events()).isEmpty();
            assertThat(m.idleBaseline()).isEmpty();
            assertThat(m.idlePowerWatts()).isEmpty();

            IdleBaseline baseline = m.measureIdleBaseline(2.0).orElseThrow();

            assertThat(sink.events(EnergyReading.class)).singleElement().satisfies(r -> {
                assertThat(r.window()).isEqualTo(ProcessMeasurement.IDLE_BASELINE_WINDOW).isEqualTo("idle-baseline");
                assertThat(r.deviceKey()).isEqualTo("gpu:GPU-a");
                assertThat(r.energyJoules()).isCloseTo(120.0, within(1e-9));
                assertThat(r.windowDurationNanos()).isEqualTo(2_000_000_000L);
                assertThat(r.source()).isEqualTo("scripted-gpu");
            });
            assertThat(baseline.idlePowerWatts()).containsOnlyKeys("gpu:GPU-a");
            assertThat(baseline.idlePowerWatts("gpu:GPU-a").getAsDouble()).isCloseTo(60.0, within(1e-9));
            assertThat(baseline.idlePowerWatts("gpu:GPU-b")).as("not measured: absent").isEmpty();
            assertThat(baseline.idleEnergyJoules("gpu:GPU-a", 10_000_000_000L).getAsDouble())
                    .as("what results subtract for a 10 s run").isCloseTo(600.0, within(1e-9));
            assertThat(m.idleBaseline()).contains(baseline);
            assertThat(m.idlePowerWatts()).isEqualTo(baseline.idlePowerWatts());
            assertThat(m.openWindows()).isEmpty();
            assertThatThrownBy(() -> m.measureIdleBaseline(1.0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aSourceWithALongerPowerReadPeriodIsReadOnEveryNthTickAndStillWinsItsKeysByRank() throws Exception {
        // "model" (rank 90) asks to be read every 4th tick; "hardware" (rank 10) every tick; both report cpu:shared
        ScriptedEnergy model = new ScriptedEnergy("model", Scope.HOST, 90, "cpu:shared");
        model.power.put("cpu:shared", 40.0);
        model.memory.put("cpu:shared", new MemoryReading("cpu:shared", 1, 2, 3L));
        model.powerReadPeriod = Duration.ofMillis(20);
        ScriptedEnergy hardware = new ScriptedEnergy("hardware", Scope.PROCESS, 10, "gpu:GPU-a");
        hardware.power.put("gpu:GPU-a", 300.0);
        hardware.power.put("cpu:shared", 99.0);
        try (ProcessMeasurement m = builder(registry(CONTEXT, model, hardware))
                .samplingInterval(Duration.ofMillis(5)).open()) {
            m.startSampling();
            sink.await("40 readings of the every-tick source", TIMEOUT,
                    events -> count(events, PowerSample.class, s -> s.deviceKey().equals("gpu:GPU-a")) >= 40);
        }
        // after close every reading is sent: the tick counts are exact, whatever the scheduling
        List<PowerSample> power = sink.events(PowerSample.class);
        long ticks = power.stream().filter(s -> s.deviceKey().equals("gpu:GPU-a")).count();
        List<PowerSample> shared = power.stream().filter(s -> s.deviceKey().equals("cpu:shared")).toList();
        assertThat(shared).as("read on ticks 0, 4, 8, ... of %d", ticks).hasSize((int) ((ticks + 3) / 4));
        assertThat(shared).as("the higher-ranked source keeps its key between its reads, too")
                .allSatisfy(s -> {
                    assertThat(s.source()).isEqualTo("model");
                    assertThat(s.powerWatts()).isEqualTo(40.0);
                });
        assertThat(sink.events(MemorySample.class)).hasSize((int) ((ticks + 3) / 4));
    }

    @Test
    void aSamplerWhoseSourcesAllReadSeldomWakesAtTheirPeriodNotTheInterval() throws Exception {
        ScriptedEnergy model = new ScriptedEnergy("model", Scope.HOST, 90, "cpu:node-1:package-0");
        model.power.put("cpu:node-1:package-0", 40.0);
        model.powerReadPeriod = Duration.ofMillis(200);
        try (ProcessMeasurement m = builder(registry(CONTEXT, model)).samplingInterval(Duration.ofMillis(5)).open()) {
            long started = System.nanoTime();
            m.startSampling();
            sink.await("3 power samples", TIMEOUT, events -> count(events, PowerSample.class, s -> true) >= 3);
            List<PowerSample> power = sink.events(PowerSample.class);
            long last = power.get(power.size() - 1).envelope().monoNanos();
            // fixed rate at 200 ms: the k-th reading is due no earlier than start + k × 200 ms (at 5 ms there
            // would be ~40 ticks per 200 ms)
            assertThat(power.size()).isLessThanOrEqualTo((int) ((last - started) / 200_000_000L) + 1);
        }
    }

    @Test
    void emittedSeqsAreGapFreeAcrossTheSamplerThreadAndTheCaller() throws Exception {
        ScriptedEnergy gpu = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a", "gpu:GPU-b")
                .counter("gpu:GPU-a", EnergyMethod.COUNTER, 0, null)
                .counter("gpu:GPU-b", EnergyMethod.COUNTER, 0, null);
        gpu.power.put("gpu:GPU-a", 100.0);
        gpu.power.put("gpu:GPU-b", 100.0);
        gpu.memory.put("gpu:GPU-a", new MemoryReading("gpu:GPU-a", 1, 1, null));
        int windows = 300;
        try (ProcessMeasurement m = builder(registry(CONTEXT, gpu)).samplingInterval(Duration.ofMillis(1)).open()) {
            emitter.emit(env -> new ProcessStarted(env, "host-id", 42L, 0, 1, m.devices(), "cpu", m.plugins()));
            m.startSampling();
            for (int i = 0; i < windows; i++) {
                String window = ProcessMeasurement.batchWindow(i);
                m.begin(window);
                gpu.add("gpu:GPU-a", 1.0);
                gpu.add("gpu:GPU-b", 2.0);
                clock.addAndGet(1_000_000L);
                m.end(window);
                m.emitCountedFlops(i, 1e9, 5e8, 10, Map.of("mlp", 1e9));
                if (i == windows / 2) {
                    sink.await("the sampler to interleave", TIMEOUT,
                            events -> count(events, PowerSample.class, s -> true) >= 20);
                }
            }
            sink.await("more samples after the caller finished", TIMEOUT,
                    events -> events.get(events.size() - 1) instanceof PowerSample
                            || events.get(events.size() - 1) instanceof MemorySample);
        }
        List<LemEvent> events = sink.events();
        assertThat(events.get(0)).isInstanceOf(ProcessStarted.class);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).envelope().seq()).as("seq of event %d", i).isEqualTo(i);
        }
        assertThat(emitter.lastSeq()).isEqualTo(events.size() - 1);
        assertThat(sink.events(EnergyReading.class)).hasSize(2 * windows);
        assertThat(sink.events(FlopsEstimate.class)).hasSize(windows);
        assertThat(sink.events(PowerSample.class)).hasSizeGreaterThanOrEqualTo(20);
    }

    @Test
    void closeStopsSamplingClosesSourcesLeavesOpenWindowsUnmeasuredAndIsIdempotent() {
        ScriptedEnergy gpu = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a")
                .counter("gpu:GPU-a", EnergyMethod.COUNTER, 0, null);
        ProcessMeasurement m = builder(registry(CONTEXT, gpu)).open();
        m.startSampling();
        m.begin("run");
        m.close();
        m.close();
        assertThat(gpu.opened).singleElement().satisfies(s -> assertThat(s.closed).isTrue());
        assertThat(sink.events(EnergyReading.class)).as("an open window yields no reading").isEmpty();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(
                t -> t.getName().equals(ProcessMeasurement.SAMPLER_THREAD_NAME));
        assertThatThrownBy(() -> m.begin("again")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> m.end("run")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(m::startSampling).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSourceWhoseReadsThrowReportsItsDevicesAbsentWithoutFailingTheWindowOrTheSampler() throws Exception {
        ScriptedEnergy good = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a")
                .counter("gpu:GPU-a", EnergyMethod.COUNTER, 0, null);
        good.power.put("gpu:GPU-a", 10.0);
        ScriptedEnergy bad = new ScriptedEnergy("bad", Scope.PROCESS, 10, "bad:0") {
            @Override
            public io.lem.api.energy.EnergySource open(PluginContext context) {
                return new io.lem.api.energy.EnergySource() {
                    @Override
                    public String pluginName() {
                        return "bad";
                    }

                    @Override
                    public List<DeviceInfo> devices() {
                        return List.of(new DeviceInfo("bad:0", "gpu", "bad", null, null));
                    }

                    @Override
                    public Map<String, io.lem.api.energy.EnergyCounter> readEnergy() {
                        throw new IllegalStateException("driver gone");
                    }

                    @Override
                    public Duration updatePeriod() {
                        return null;
                    }

                    @Override
                    public Map<String, Double> readPowerWatts() {
                        throw new IllegalStateException("driver gone");
                    }

                    @Override
                    public void close() {
                        throw new IllegalStateException("driver gone");
                    }
                };
            }
        };
        try (CapturedLog log = new CapturedLog(GuardedSource.class);
             ProcessMeasurement m = builder(registry(CONTEXT, good, bad)).samplingInterval(Duration.ofMillis(5))
                     .open()) {
            m.startSampling();
            m.begin("run");
            good.add("gpu:GPU-a", 5.0);
            assertThat(m.end("run").domains()).containsOnlyKeys("gpu:GPU-a");
            sink.await("samples despite the failing source", TIMEOUT,
                    events -> count(events, PowerSample.class, s -> true) >= 3);
            assertThat(sink.events(PowerSample.class)).extracting(PowerSample::deviceKey).containsOnly("gpu:GPU-a");
            assertThat(log.messages("WARN")).filteredOn(s -> s.contains("readEnergy failed")).hasSize(1);
            assertThat(log.messages("WARN")).filteredOn(s -> s.contains("readPowerWatts failed")).hasSize(1);
        }
    }

    private static <T extends LemEvent> long count(List<LemEvent> events, Class<T> type,
                                                   java.util.function.Predicate<T> filter) {
        return events.stream().filter(type::isInstance).map(type::cast).filter(filter).count();
    }
}
