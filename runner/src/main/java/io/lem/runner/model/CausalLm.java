package io.lem.runner.model;

import io.lem.runner.engine.BatchState;

/**
 * A decoder-only language model on a device, as the generation loop sees it. One implementation per family; not
 * thread-safe (one batch at a time per thread, and PyTorch's intra-op threads do the parallel work).
 */
public interface CausalLm extends LanguageModel {

    /**
     * A fresh KV cache for a batch.
     *
     * @param padding  left pad columns per sequence (length = batch size)
     * @param capacity cache columns: the padded prompt length plus the tokens that will be fed back
     */
    BatchState newState(int[] padding, int capacity);

    /**
     * Runs {@code t} new tokens per sequence through the model, appending them to the cache, and returns the logits
     * of the LAST new column of every sequence, row-major {@code [batch, vocab]}, as float32. Returning them
     * materializes the result on the JVM, which is the device synchronization point for timing.
     *
     * @param tokens row-major {@code [batch, t]} token ids
     */
    float[] forward(BatchState state, int[] tokens, int t);
}
