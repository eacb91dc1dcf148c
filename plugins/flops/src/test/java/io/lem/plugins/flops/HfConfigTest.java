package io.lem.plugins.flops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HfConfigTest {

    private static ModelShape shape(String json) {
        return HfConfig.shapeOf(TinyConfigs.architecture(json));
    }

    @Test
    void llamaDefaultsFollowTransformers() {
        ModelShape s = shape("""
                {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "intermediate_size": 128, "vocab_size": 100}""");

        assertThat(s.numKvHeads()).isEqualTo(4);
        assertThat(s.headDim()).isEqualTo(16);
        assertThat(s.tiedEmbeddings()).isFalse();
        assertThat(s.qkvBias()).isFalse();
        assertThat(s.outputBias()).isFalse();
        assertThat(s.mlpBias()).isFalse();
        assertThat(s.learnedPositions()).isZero();
        assertThat(s.mlp()).isEqualTo(MlpKind.GATED);
        assertThat(s.norm()).isEqualTo(NormKind.RMS);
    }

    @Test
    void explicitHeadDimAndBiasFlagsAreHonoured() {
        ModelShape s = shape("""
                {"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "num_key_value_heads": 2, "head_dim": 32, "intermediate_size": 128, "vocab_size": 100,
                 "attention_bias": true, "mlp_bias": true, "tie_word_embeddings": true}""");

        assertThat(s.headDim()).isEqualTo(32);
        assertThat(s.queryWidth()).isEqualTo(128);
        assertThat(s.keyValueWidth()).isEqualTo(64);
        assertThat(s.qkvBias()).isTrue();
        assertThat(s.outputBias()).isTrue();
        assertThat(s.mlpBias()).isTrue();
        assertThat(s.tiedEmbeddings()).isTrue();
    }

    @Test
    void qwen2HasQkvBiasButNoOutputBiasAndMistralNone() {
        String dims = "\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4,"
                + " \"intermediate_size\": 128, \"vocab_size\": 100, \"attention_bias\": true";
        ModelShape qwen = shape("{\"model_type\": \"qwen2\", " + dims + "}");
        ModelShape mistral = shape("{\"model_type\": \"mistral\", " + dims + "}");

        assertThat(qwen.qkvBias()).isTrue();
        assertThat(qwen.outputBias()).isFalse();
        assertThat(mistral.qkvBias()).isFalse();
        assertThat(mistral.outputBias()).isFalse();
    }

    @Test
    void gpt2NullInnerMeansFourTimesHiddenAndHeadIsTied() {
        ModelShape s = shape(TinyConfigs.GPT2);

        assertThat(s.intermediateSize()).isEqualTo(32);
        assertThat(s.tiedEmbeddings()).isTrue();
        assertThat(s.learnedPositions()).isEqualTo(16);
        assertThat(s.norm()).isEqualTo(NormKind.LAYER);
        assertThat(s.mlp()).isEqualTo(MlpKind.PLAIN);
    }

    @Test
    void unsupportedModelTypeListsTheSupportedOnes() {
        assertThatThrownBy(() -> shape("{\"model_type\": \"t5\", \"d_model\": 512}"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("'t5'")
                .hasMessageContaining("gpt2, llama, mistral, qwen2");
        assertThatThrownBy(() -> shape("{\"hidden_size\": 8}"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("(none)");
    }

    @Test
    void missingOrMalformedFieldsNameTheKey() {
        assertThatThrownBy(() -> shape("{\"model_type\": \"llama\", \"num_hidden_layers\": 2}"))
                .hasMessageContaining("lacks hidden_size");
        assertThatThrownBy(() -> shape("""
                {"model_type": "gpt2", "n_embd": 8.5, "n_layer": 1, "n_head": 2, "n_positions": 16, "vocab_size": 10}"""))
                .hasMessageContaining("n_embd must be a whole number");
        assertThatThrownBy(() -> shape("""
                {"model_type": "llama", "hidden_size": 10, "num_hidden_layers": 2, "num_attention_heads": 4,
                 "intermediate_size": 128, "vocab_size": 100}"""))
                .hasMessageContaining("not a multiple of num_attention_heads");
    }
}
