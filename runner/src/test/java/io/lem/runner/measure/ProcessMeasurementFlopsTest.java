package io.lem.runner.measure;

import io.lem.api.energy.Scope;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.PluginInfo;
import io.lem.api.flops.BatchWork;
import io.lem.api.flops.FlopsCount;
import io.lem.api.flops.FlopsEstimator;
import io.lem.api.flops.FlopsEstimatorProvider;
import io.lem.api.flops.ModelArchitecture;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.runner.config.EnergySettings;
import io.lem.runner.events.EventEmitter;
import io.lem.runner.plugins.DiscoveredPlugin;
import io.lem.runner.plugins.PluginRegistry;
import io.lem.runner.plugins.UnknownPluginException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/** FLOPs estimates per batch from the real built-in {@code flops} plugin, and the engine's counted FLOPs. */
class ProcessMeasurementFlopsTest {

    private static final PluginContext CONTEXT = PluginContext.local("node-1").withEnvironment(Map.of());

    /**
     * hidden 8, 1 layer, 2 heads of 4 (no GQA), intermediate 16, vocab 32, untied, no biases. Non-embedding
     * parameters: attention 4·8·8 = 256, gated MLP 3·8·16 = 384, RMS norms (2·1+1)·8 = 24, LM head 32·8 = 256:
     * 920.
     */
    private static final ModelArchitecture TINY_LLAMA = new ModelArchitecture("llama", Map.of(
            "model_type", "llama", "hidden_size", 8, "num_hidden_layers", 1, "num_attention_heads", 2,
            "num_key_value_heads", 2, "intermediate_size", 16, "vocab_size", 32, "tie_word_embeddings", false));

    @TempDir
    Path tmp;

    private final CollectingSink sink = new CollectingSink();
    private final EventEmitter emitter = new EventEmitter("exp-1", 3, "node-1", sink);

    /** A second provider: repeats {@code parameter} (the higher rank keeps it) and has a method that always fails. */
    private static final class ExtraFlops implements FlopsEstimatorProvider {
        @Override
        public String name() {
            return "extra-flops";
        }

        @Override
        public String version() {
            return "0.0.1";
        }

        @Override
        public Availability probe(PluginContext context) {
            return Availability.yes();
        }

        @Override
        public List<String> methods() {
            return List.of("parameter", "always-fails", "counted");
        }

        @Override
        public FlopsEstimator forModel(ModelArchitecture model) {
            return (method, batch) -> {
                if (method.equals("always-fails")) {
                    throw new IllegalArgumentException("cannot count " + model.modelType());
                }
                return new FlopsCount(method, 1, 1, Map.of());
            };
        }
    }

    @Test
    void emitsOneFlopsEstimatePerBatchPerMethodFromTheRealFlopsPlugin() throws Exception {
        try (RealFlopsPlugin flops = RealFlopsPlugin.load(CONTEXT, tmp);
             CapturedLog log = new CapturedLog(FlopsEstimators.class)) {
            PluginRegistry registry = PluginRegistry.of(List.of(flops.plugin(),
                    DiscoveredPlugin.of(new ExtraFlops(), "test", CONTEXT)), List.of(), CONTEXT);
            BatchWork batch0 = new BatchWork(List.of(5, 3), List.of(4, 2));
            BatchWork batch1 = new BatchWork(List.of(7), List.of(1));
            try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter).model(TINY_LLAMA).open()) {
                assertThat(m.flopsMethods()).containsExactly("parameter", "architecture-dense", "architecture-causal",
                        "always-fails");
                assertThat(m.plugins()).containsExactly(new PluginInfo("flops", flops.plugin().version(), "flops"),
                        new PluginInfo("extra-flops", "0.0.1", "flops"));

                List<FlopsEstimate> first = m.emitFlops(0, batch0);
                List<FlopsEstimate> second = m.emitFlops(1, batch1);

                assertThat(first).extracting(FlopsEstimate::method, FlopsEstimate::batchIndex, FlopsEstimate::tokens)
                        .containsExactly(tuple("parameter", 0, 14L), tuple("architecture-dense", 0, 14L),
                                tuple("architecture-causal", 0, 14L));
                assertThat(second).extracting(FlopsEstimate::method, FlopsEstimate::batchIndex, FlopsEstimate::tokens)
                        .containsExactly(tuple("parameter", 1, 8L), tuple("architecture-dense", 1, 8L),
                                tuple("architecture-causal", 1, 8L));
                assertThat(sink.events(FlopsEstimate.class)).containsExactlyElementsOf(
                        java.util.stream.Stream.concat(first.stream(), second.stream()).toList());

                // parameter: 2 × 920 per position; a P-token prompt generating N tokens runs P + N − 1 positions
                assertThat(first.get(0).macs()).isEqualTo(920.0 * ((5 + 4 - 1) + (3 + 2 - 1)));
                assertThat(first.get(0).flops()).isEqualTo(2 * 920.0 * 12);
                assertThat(second.get(0).flops()).isEqualTo(2 * 920.0 * 7);
                // everything else exactly as the plugin's estimator returns it
                FlopsEstimator estimator = flops.provider().forModel(TINY_LLAMA);
                for (FlopsEstimate e : first) {
                    FlopsCount expected = estimator.estimate(e.method(), batch0);
                    assertThat(e.flops()).isEqualTo(expected.flops());
                    assertThat(e.macs()).isEqualTo(expected.macs());
                    assertThat(e.breakdown()).isEqualTo(expected.breakdown()).isNotEmpty();
                }
                assertThat(first.get(1).flops()).as("dense attention counts the full T×T")
                        .isGreaterThan(first.get(2).flops());

                assertThat(log.messages("WARN")).filteredOn(s -> s.contains("always-fails")).singleElement()
                        .asString().contains("extra-flops").contains("cannot count llama");
                assertThat(log.messages("WARN")).anySatisfy(s -> assertThat(s).contains("'counted'")
                        .contains("engine"));
            }
        }
    }

    @Test
    void flopsOfABatchThatEndedEarlierCarryThatInstant() throws Exception {
        try (RealFlopsPlugin flops = RealFlopsPlugin.load(CONTEXT, tmp)) {
            PluginRegistry registry = PluginRegistry.of(List.of(flops.plugin()), List.of(), CONTEXT);
            try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter).model(TINY_LLAMA).open()) {
                long epoch = 1_700_000_000_123_456_789L;
                long mono = 42_000_000L;
                List<FlopsEstimate> analytic = m.emitFlopsAt(epoch, mono, 3, new BatchWork(List.of(5), List.of(4)));
                FlopsEstimate counted = m.emitCountedFlopsAt(epoch, mono, 3, 1000, 500, 9, null);
                assertThat(analytic).hasSize(3);
                assertThat(sink.events()).hasSize(4).allSatisfy(e -> {
                    assertThat(e.envelope().monoNanos()).isEqualTo(mono);
                    assertThat(e.envelope().timeEpochNanos()).isEqualTo(epoch);
                });
                assertThat(counted.method()).isEqualTo(ProcessMeasurement.COUNTED_METHOD);
                assertThat(sink.events()).extracting(e -> e.envelope().seq()).containsExactly(0L, 1L, 2L, 3L);
            }
        }
    }

    @Test
    void primingRunsTheEstimatorsButSendsNothingAndTakesNoSeq() throws Exception {
        try (RealFlopsPlugin flops = RealFlopsPlugin.load(CONTEXT, tmp)) {
            PluginRegistry registry = PluginRegistry.of(List.of(flops.plugin()), List.of(), CONTEXT);
            try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter).model(TINY_LLAMA).open()) {
                m.primeFlops(new BatchWork(List.of(5), List.of(4)));
                assertThat(sink.events()).isEmpty();
                List<FlopsEstimate> first = m.emitFlops(0, new BatchWork(List.of(5), List.of(4)));
                assertThat(first).hasSize(3);
                assertThat(sink.events()).extracting(e -> e.envelope().seq()).containsExactly(0L, 1L, 2L);
            }
        }
    }

    @Test
    void aProviderThatCannotHandleTheModelIsSkippedWithItsMessageLoggedOnce() throws Exception {
        ModelArchitecture bert = new ModelArchitecture("bert", Map.of("model_type", "bert", "hidden_size", 8));
        try (RealFlopsPlugin flops = RealFlopsPlugin.load(CONTEXT, tmp);
             CapturedLog log = new CapturedLog(FlopsEstimators.class)) {
            PluginRegistry registry = PluginRegistry.of(List.of(flops.plugin()), List.of(), CONTEXT);
            try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter).model(bert).open()) {
                for (int i = 0; i < 3; i++) {
                    assertThat(m.emitFlops(i, new BatchWork(List.of(4), List.of(4)))).isEmpty();
                }
                assertThat(m.flopsMethods()).isEmpty();
                assertThat(m.plugins()).isEmpty();
                assertThat(sink.events()).isEmpty();
                assertThat(log.messages("WARN")).singleElement().asString()
                        .startsWith("flops plugin flops is not used: flops: ").contains("bert").contains("llama");
            }
        }
    }

    @Test
    void energySettingsRouteFlopsPluginNamesToTheFlopsSelection() throws Exception {
        ScriptedEnergy gpu = new ScriptedEnergy("scripted-gpu", Scope.PROCESS, 90, "gpu:GPU-a");
        ScriptedEnergy cpu = new ScriptedEnergy("scripted-cpu", Scope.HOST, 50, "cpu:node-1:package-0");
        try (RealFlopsPlugin flops = RealFlopsPlugin.load(CONTEXT, tmp)) {
            PluginRegistry registry = PluginRegistry.of(List.of(flops.plugin(),
                    DiscoveredPlugin.of(new ExtraFlops(), "test", CONTEXT), DiscoveredPlugin.of(gpu, "test", CONTEXT),
                    DiscoveredPlugin.of(cpu, "test", CONTEXT)), List.of(), CONTEXT);
            EnergySettings settings = new EnergySettings(List.of("scripted-gpu", "scripted-cpu", "extra-flops"),
                    List.of("scripted-cpu"), 100, 0, EnergySettings.DEFAULT_REGION, 1.0);
            try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter).energySettings(settings)
                    .model(TINY_LLAMA).open()) {
                assertThat(m.openedSources()).containsExactly("scripted-gpu");
                assertThat(m.flopsMethods()).containsExactly("parameter", "always-fails");
                assertThat(m.plugins()).extracting(PluginInfo::name).containsExactly("scripted-gpu", "extra-flops");
            }
            EnergySettings unknown = new EnergySettings(List.of("nope"), List.of(), 100, 0, "WORLD", 1.0);
            assertThatThrownBy(() -> ProcessMeasurement.builder(registry, emitter).energySettings(unknown).open())
                    .isInstanceOf(UnknownPluginException.class)
                    .hasMessage("unknown energy plugin 'nope'; known: scripted-gpu, scripted-cpu");
        }
    }

    @Test
    void countedFlopsComeFromTheEngineWithTheNumbersGiven() {
        PluginRegistry registry = PluginRegistry.of(List.of(), List.of(), CONTEXT);
        try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter).open()) {
            FlopsEstimate batch = m.emitCountedFlops(4, 2.5e12, 1.25e12, 640, Map.of("mlp", 2e12, "attention", 5e11));
            FlopsEstimate total = m.emitCountedFlops(null, 1e13, 5e12, 4096, null);

            assertThat(sink.events(FlopsEstimate.class)).containsExactly(batch, total);
            assertThat(batch.method()).isEqualTo(ProcessMeasurement.COUNTED_METHOD).isEqualTo("counted");
            assertThat(batch.batchIndex()).isEqualTo(4);
            assertThat(batch.flops()).isEqualTo(2.5e12);
            assertThat(batch.macs()).isEqualTo(1.25e12);
            assertThat(batch.tokens()).isEqualTo(640);
            assertThat(batch.breakdown()).containsOnly(Map.entry("mlp", 2e12), Map.entry("attention", 5e11));
            assertThat(total.batchIndex()).as("a process total").isNull();
            assertThat(total.breakdown()).isEmpty();

            assertThatThrownBy(() -> m.emitCountedFlops(0, Double.NaN, 0, 0, null))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.emitFlops(0, new BatchWork(List.of(1), List.of(1))))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("model");
        }
    }
}
