package io.lem.plugins.flops;

/**
 * Exact parameter count by component. Biases and norm weights are counted with the layer they belong to; a tied LM
 * head is counted once, as the token embedding.
 *
 * @param tokenEmbedding    V × H
 * @param positionEmbedding learned positions × H (0 for rotary models)
 * @param attention         q, k, v, o projections of all layers, with biases
 * @param mlp               feed-forward projections of all layers, with biases
 * @param norms             all norms: two per layer and the final one
 * @param lmHead            V × H when untied, else 0
 */
public record ParameterCount(long tokenEmbedding, long positionEmbedding, long attention, long mlp, long norms,
                             long lmHead) {

    /** Token plus learned position embeddings. */
    public long embedding() {
        return tokenEmbedding + positionEmbedding;
    }

    /** Everything but the embeddings: attention, MLP, norms and an untied LM head. */
    public long nonEmbedding() {
        return attention + mlp + norms + lmHead;
    }

    public long total() {
        return embedding() + nonEmbedding();
    }
}
