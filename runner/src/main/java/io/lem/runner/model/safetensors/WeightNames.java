package io.lem.runner.model.safetensors;

/** Naming conventions of HuggingFace checkpoints. */
public final class WeightNames {

    private WeightNames() {
    }

    /**
     * Whether a tensor is a buffer saved with the weights rather than a parameter: GPT-2's causal mask
     * {@code ...attn.bias} and {@code ...attn.masked_bias} (and the {@code crossattention.} variants), and rotary
     * caches {@code ...rotary_emb.inv_freq}, and BART's {@code final_logits_bias}. Engines skip them (BART reads
     * {@code final_logits_bias} as a buffer); parameter counts exclude them. Projection biases such as
     * {@code attn.c_attn.bias} are parameters.
     */
    public static boolean isNonWeightBuffer(String name) {
        if (name.equals("final_logits_bias")) {
            return true;
        }
        int last = name.lastIndexOf('.');
        if (last < 0) {
            return false;
        }
        String leaf = name.substring(last + 1);
        int prev = name.lastIndexOf('.', last - 1);
        String module = name.substring(prev + 1, last);
        boolean attention = module.equals("attn") || module.equals("crossattention");
        return attention && (leaf.equals("bias") || leaf.equals("masked_bias"))
                || module.equals("rotary_emb") && leaf.equals("inv_freq");
    }
}
