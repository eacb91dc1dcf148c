package io.lem.runner.engine;

import ai.djl.ndarray.NDManager;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.config.QuantizationConfig;
import io.lem.runner.engine.SyntheticModels.LlamaSpec;
import io.lem.runner.model.CausalLm;
import io.lem.runner.model.ModelFamilyRegistry;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InferenceEngineTest {

    private static final SyntheticModels.Model MODEL = SyntheticModels.llama(LlamaSpec.small());

    @Test
    void unsupportedModelTypeListsTheSupportedOnes() {
        Map<String, Object> config = new HashMap<>(MODEL.config());
        config.put("model_type", "bert");
        assertThatThrownBy(() -> InferenceEngine.load(config, MODEL.weights(), EngineOptions.cpu(FpPrecision.FLOAT32)))
                .isInstanceOf(EngineException.class)
                .hasMessage("unsupported model_type 'bert'; supported model types: bart, gpt2, llama, mistral, mt5, qwen2, t5");
        assertThat(ModelFamilyRegistry.supportedModelTypes()).containsExactly("bart", "gpt2", "llama", "mistral", "mt5", "qwen2", "t5");
    }

    @Test
    void bfloat16IsRefusedWithoutTouchingDjl() {
        assertThatThrownBy(() -> InferenceEngine.load(MODEL.config(), MODEL.weights(),
                EngineOptions.cpu(FpPrecision.BFLOAT16)))
                .isInstanceOf(EngineException.class)
                .hasMessageContaining("bfloat16").hasMessageContaining("float16 or float32")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void quantizationIsRefused() {
        EngineOptions eightBit = new EngineOptions("cpu", FpPrecision.FLOAT32, new QuantizationConfig(true, false, true));
        assertThatThrownBy(() -> InferenceEngine.load(MODEL.config(), MODEL.weights(), eightBit))
                .isInstanceOf(EngineException.class).hasMessageContaining("load_in_8bit")
                .hasMessageContaining("not supported");
    }

    @Test
    void missingGpuIsAClearError() {
        assertThatThrownBy(() -> InferenceEngine.load(MODEL.config(), MODEL.weights(),
                new EngineOptions("gpu:0", FpPrecision.FLOAT32)))
                .isInstanceOf(EngineException.class).hasMessageContaining("gpu:0 is not available")
                .hasMessageContaining("use device cpu");
        assertThatThrownBy(() -> InferenceEngine.load(MODEL.config(), MODEL.weights(),
                new EngineOptions("tpu", FpPrecision.FLOAT32)))
                .isInstanceOf(EngineException.class).hasMessageContaining("unknown device 'tpu'");
    }

    @Test
    void threadsAreSetToTheCoreCount() {
        InferenceEngine.pytorch();
        assertThat(IntraOpThreads.configured())
                .isEqualTo(Integer.getInteger("ai.djl.pytorch.num_threads", Runtime.getRuntime().availableProcessors()));
        assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
    }

    @Test
    void decodeStepsDoNotAccumulateTensors() {
        try (LoadedModel model = InferenceEngine.load(MODEL.config(), MODEL.weights(),
                EngineOptions.cpu(FpPrecision.FLOAT32))) {
            CausalLm lm = model.model();
            try (BatchState state = lm.newState(new int[] {0, 2}, 4 + 40)) {
                NDManager m = state.manager();
                int baseline = m.getManagedArrays().size();
                int modelArrays = m.getParentManager().getManagedArrays().size();
                lm.forward(state, new int[] {1, 2, 3, 4, 0, 0, 5, 6}, 4);
                int afterPrefill = m.getManagedArrays().size();
                lm.forward(state, new int[] {7, 8}, 1);
                // the JVM batch decode path keeps one input tensor per product input width with the batch
                int afterFirstStep = m.getManagedArrays().size();
                for (int i = 1; i < 40; i++) {
                    lm.forward(state, new int[] {7, 8}, 1);
                }
                assertThat(afterPrefill).isEqualTo(baseline);
                assertThat(afterFirstStep).isBetween(baseline, baseline + 2);
                assertThat(m.getManagedArrays()).hasSize(afterFirstStep);
                assertThat(m.getParentManager().getManagedArrays()).hasSize(modelArrays + afterFirstStep - baseline);
                assertThat(state.length()).isEqualTo(44);
                assertThatThrownBy(() -> lm.forward(state, new int[] {7, 8}, 1))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("44 of 44");
            }
        }
    }

    @Test
    void validatesConfigsWithoutWeights() {
        assertThat(InferenceEngine.validate(MODEL.config(), EngineOptions.cpu(FpPrecision.FLOAT16))).isEqualTo("llama");
        Map<String, Object> bad = new HashMap<>(MODEL.config());
        bad.put("num_key_value_heads", 2);
        assertThatThrownBy(() -> InferenceEngine.validate(bad, EngineOptions.cpu(FpPrecision.FLOAT32)))
                .isInstanceOf(EngineException.class).hasMessageContaining("not a multiple of num_key_value_heads 2");
        assertThatThrownBy(() -> InferenceEngine.validate(MODEL.config(), EngineOptions.cpu(FpPrecision.BFLOAT16)))
                .isInstanceOf(EngineException.class).hasMessageContaining("bfloat16");
    }

    @Test
    void realConfigsOfSupportedFamiliesValidate() throws Exception {
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("lem.shared.dir", "../shared"), "reference",
                "hf-configs");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(dir), "no ../shared");
        for (String name : new String[] {"gpt2.config.json", "Llama-2-7b-hf.config.json",
                "Mistral-7B-v0.1.loaded-config.transformers-4.37.2.json", "Qwen2.5-0.5B.config.json",
                "TinyLlama-1.1B-Chat-v1.0.resaved-config.transformers-4.56.0.json", "SmolLM2-135M.config.json"}) {
            Map<String, Object> config = io.lem.runner.model.ModelFiles.readJsonObject(dir.resolve(name));
            assertThat(InferenceEngine.validate(config, EngineOptions.cpu(FpPrecision.FLOAT32))).as(name)
                    .isIn("llama", "gpt2");
        }
        Map<String, Object> phi = io.lem.runner.model.ModelFiles.readJsonObject(dir.resolve("phi-2.config.json"));
        assertThatThrownBy(() -> InferenceEngine.validate(phi, EngineOptions.cpu(FpPrecision.FLOAT32)))
                .hasMessageContaining("unsupported model_type 'phi'");
    }

    @Test
    void closingTheModelFreesIt() {
        LoadedModel model = InferenceEngine.load(MODEL.config(), MODEL.weights(), EngineOptions.cpu(FpPrecision.FLOAT32));
        model.close();
        model.close();
        assertThat(model.isClosed()).isTrue();
    }
}
