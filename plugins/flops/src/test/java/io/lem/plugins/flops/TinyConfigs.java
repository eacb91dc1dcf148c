package io.lem.plugins.flops;

import io.lem.api.flops.ModelArchitecture;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Synthetic configs small enough to count by hand. */
final class TinyConfigs {

    /** hidden 8, 2 layers, 2 heads of 4, 1 KV head, intermediate 16, vocab 10, untied, no biases. */
    static final String LLAMA = """
            {"model_type": "llama", "hidden_size": 8, "num_hidden_layers": 2, "num_attention_heads": 2,
             "num_key_value_heads": 1, "intermediate_size": 16, "vocab_size": 10, "tie_word_embeddings": false,
             "rope_scaling": null}
            """;

    /** n_embd 8, 1 layer, 2 heads, 16 learned positions, vocab 10, n_inner null (so 32), tied. */
    static final String GPT2 = """
            {"model_type": "gpt2", "n_embd": 8, "n_layer": 1, "n_head": 2, "n_positions": 16, "vocab_size": 10,
             "n_inner": null}
            """;

    private TinyConfigs() {
    }

    static ModelArchitecture architecture(String json) {
        try {
            return HfConfig.parse(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ArchitectureMath math(String json) {
        return new ArchitectureMath(HfConfig.shapeOf(architecture(json)));
    }
}
