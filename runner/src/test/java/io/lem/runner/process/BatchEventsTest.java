package io.lem.runner.process;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.EnergySource;
import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.EpochClock;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.TokensGenerated;
import io.lem.api.event.DeviceInfo;
import io.lem.api.flops.FlopsCount;
import io.lem.api.flops.ModelArchitecture;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.runner.events.EventEmitter;
import io.lem.runner.events.EventSink;
import io.lem.runner.generate.FinishReason;
import io.lem.runner.generate.GenerationListener.BatchEnd;
import io.lem.runner.generate.GenerationListener.BatchStart;
import io.lem.runner.generate.GenerationListener.DecodeStep;
import io.lem.runner.generate.GenerationListener.PrefillDone;
import io.lem.runner.measure.ProcessMeasurement;
import io.lem.runner.plugins.DiscoveredPlugin;
import io.lem.runner.plugins.PluginRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BatchEventsTest {

    private static final PluginContext CONTEXT = PluginContext.local("node-1").withEnvironment(Map.of());
    private static final ModelArchitecture MODEL = new ModelArchitecture("llama", Map.of("model_type", "llama"));

    private final List<LemEvent> events = new ArrayList<>();
    private final EventEmitter emitter = new EventEmitter("exp-1", 0, "node-1", new EventSink() {
        @Override
        public synchronized void send(LemEvent event) {
            events.add(event);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    });

    @Test
    void batchesShorterThanTheSourcesUpdatePeriodGetNoWindowOfTheirOwnOnceOneIsKnownToBe() throws Exception {
        List<String> windows = run(Duration.ofHours(1), null);
        assertThat(windows).as("the first batch, with no earlier one to judge by, then none").containsExactly("batch-0");
    }

    @Test
    void aShortWarmUpBatchCountsAsThePreviousBatch() throws Exception {
        assertThat(run(Duration.ofHours(1), 1_000L)).isEmpty();
    }

    @Test
    void everyBatchGetsItsWindowWhenTheSourcesResolveAnyWindow() throws Exception {
        assertThat(run(Duration.ZERO, 1_000L)).containsExactly("batch-0", "batch-1", "batch-2");
    }

    @Test
    void aBatchsEventsAndFlopsAreHandedToTheEventThreadStampedWhenTheyHappened() throws Exception {
        PluginRegistry registry = PluginRegistry.of(List.of(DiscoveredPlugin.of(new Source(Duration.ZERO), "test",
                CONTEXT)), List.of(), CONTEXT);
        List<Runnable> queued = new ArrayList<>();
        long start;
        long before;
        long after;
        try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter).model(MODEL).open()) {
            BatchEvents listener = new BatchEvents(emitter, m, queued::add, () -> { }, 0, false, false, () -> { },
                    ProgressListener.NONE, 0, 1, System.nanoTime());
            start = EpochClock.nowEpochNanos();
            listener.onBatchStart(new BatchStart(0, 1, List.of(0), 4, 4));
            listener.onPrefillDone(new PrefillDone(0, 1_000, 1, null));
            listener.onDecodeStep(new DecodeStep(0, 1, 1, 500));
            before = EpochClock.nowEpochNanos();
            listener.onBatchEnd(new BatchEnd(0, List.of(0), List.of(4), List.of(2), List.of(FinishReason.LENGTH),
                    1_000, 1_000, new FlopsCount("counted", 2.0e6, 1.0e6, Map.of("mlp", 2.0e6))));
            after = EpochClock.nowEpochNanos();
            assertThat(events).as("nothing numbered or built on the generation thread").isEmpty();
            assertThat(queued).as("the batch's burst, then its FLOPs").hasSize(2);
            queued.forEach(Runnable::run);
        }
        assertThat(events).extracting(LemEvent::type).containsExactly("BatchStarted", "PrefillCompleted",
                "TokensGenerated", "BatchCompleted", "FlopsEstimate");
        assertThat(events.get(0).envelope().timeEpochNanos()).as("stamped when it happened").isBetween(start, before);
        FlopsEstimate flops = (FlopsEstimate) events.get(4);
        assertThat(flops.method()).isEqualTo("counted");
        assertThat(flops.batchIndex()).isZero();
        assertThat(flops.flops()).isEqualTo(2.0e6);
        assertThat(flops.tokens()).isEqualTo(6);
        assertThat(flops.envelope().timeEpochNanos()).as("stamped at the batch's end").isBetween(before, after);
    }

    @Test
    void aBatchCutShortIsReportedWithWhatItDid() throws Exception {
        PluginRegistry registry = PluginRegistry.of(List.of(DiscoveredPlugin.of(new Source(Duration.ZERO), "test",
                CONTEXT)), List.of(), CONTEXT);
        try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter).model(MODEL).open()) {
            BatchEvents listener = new BatchEvents(emitter, m, Runnable::run, () -> { }, 0, false, false, () -> { },
                    ProgressListener.NONE, 0, 2, System.nanoTime());
            listener.onBatchStart(new BatchStart(0, 2, List.of(0, 1), 8, 8));
            listener.onPrefillDone(new PrefillDone(0, 1_000, 2, null));
            listener.onBatchEnd(new BatchEnd(0, List.of(0, 1), List.of(4, 4), List.of(1, 1),
                    List.of(FinishReason.LENGTH, FinishReason.LENGTH), 1_000, 0, null));
            listener.cutShort("cancelled"); // between batches: nothing under way
            listener.onBatchStart(new BatchStart(1, 2, List.of(2, 3), 6, 8));
            listener.onPrefillDone(new PrefillDone(1, 3_000, 2, null));
            listener.onDecodeStep(new DecodeStep(1, 1, 2, 700));
            listener.onDecodeStep(new DecodeStep(1, 2, 1, 600));
            listener.cutShort("cancelled");
            listener.cutShort("cancelled"); // once
            listener.flushPending();
            assertThat(listener.batches()).isEqualTo(2);
            assertThat(listener.outputTokens()).isEqualTo(2 + 5);
        }
        List<BatchCompleted> completed = events.stream().filter(e -> e instanceof BatchCompleted)
                .map(e -> (BatchCompleted) e).toList();
        assertThat(completed).hasSize(2);
        BatchCompleted cut = completed.get(1);
        assertThat(cut.batchIndex()).isEqualTo(1);
        assertThat(cut.inputTokens()).isEqualTo(6);
        assertThat(cut.outputTokens()).as("the prefill's first tokens and two steps").isEqualTo(5);
        assertThat(cut.prefillDurationNanos()).isEqualTo(3_000);
        assertThat(cut.decodeDurationNanos()).isEqualTo(1_300);
        assertThat(cut.durationNanos()).isPositive();
        assertThat(cut.warmup()).isFalse();
        assertThat(cut.finishReasons()).containsExactly(Map.entry("cancelled", 2));
        assertThat(events.indexOf(cut)).as("after the batch's steps").isEqualTo(events.size() - 1);
    }

    /** Three measured batches of two steps each; the batch windows whose readings were emitted. */
    private List<String> run(Duration updatePeriod, Long previousBatchNanos) throws Exception {
        PluginRegistry registry = PluginRegistry.of(List.of(DiscoveredPlugin.of(new Source(updatePeriod), "test",
                CONTEXT)), List.of(), CONTEXT);
        try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter).model(MODEL).open()) {
            BatchEvents listener = new BatchEvents(emitter, m, Runnable::run, () -> { }, 0, false, true, () -> { },
                    ProgressListener.NONE, 0, 3, System.nanoTime());
            if (previousBatchNanos != null) {
                listener.previousBatch(previousBatchNanos);
            }
            for (int b = 0; b < 3; b++) {
                listener.onBatchStart(new BatchStart(b, 1, List.of(b), 4, 4));
                listener.onPrefillDone(new PrefillDone(b, 1_000, 1, null));
                listener.onDecodeStep(new DecodeStep(b, 1, 1, 500));
                listener.onDecodeStep(new DecodeStep(b, 2, 1, 500));
                int batch = b;
                assertThat(events).as("steps wait for the end of the batch").noneMatch(e -> e instanceof TokensGenerated
                        && ((TokensGenerated) e).batchIndex() == batch);
                listener.onBatchEnd(new BatchEnd(b, List.of(b), List.of(4), List.of(3), List.of(FinishReason.LENGTH),
                        1_000, 1_000, null));
            }
            listener.flushPending();
        }
        // per batch, in seq order: BatchStarted, ..., its two steps, ..., BatchCompleted
        for (int b = 0; b < 3; b++) {
            int batch = b;
            List<LemEvent> of = events.stream().filter(e -> e instanceof BatchStarted s && s.batchIndex() == batch
                    || e instanceof TokensGenerated t && t.batchIndex() == batch
                    || e instanceof BatchCompleted c && c.batchIndex() == batch).toList();
            assertThat(of).hasSize(4);
            assertThat(of.get(0)).isInstanceOf(BatchStarted.class);
            assertThat(of.get(3)).isInstanceOf(BatchCompleted.class);
        }
        return events.stream().filter(e -> e instanceof EnergyReading).map(e -> ((EnergyReading) e).window())
                .distinct().toList();
    }

    /** One device whose counter moves by 1 J per read. */
    private static final class Source implements EnergySourceProvider {
        private final Duration updatePeriod;

        Source(Duration updatePeriod) {
            this.updatePeriod = updatePeriod;
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public String version() {
            return "1";
        }

        @Override
        public Scope scope() {
            return Scope.PROCESS;
        }

        @Override
        public Availability probe(PluginContext context) {
            return Availability.yes();
        }

        @Override
        public EnergySource open(PluginContext context) {
            return new EnergySource() {
                private double joules;

                @Override
                public String pluginName() {
                    return "scripted";
                }

                @Override
                public List<DeviceInfo> devices() {
                    return List.of(new DeviceInfo("gpu:a", "gpu", "scripted", null, null));
                }

                @Override
                public synchronized Map<String, EnergyCounter> readEnergy() {
                    joules += 1;
                    return Map.of("gpu:a", new EnergyCounter("gpu:a", EnergyMethod.COUNTER, joules, null));
                }

                @Override
                public Duration updatePeriod() {
                    return updatePeriod;
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
