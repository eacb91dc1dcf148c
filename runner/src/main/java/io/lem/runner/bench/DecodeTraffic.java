package io.lem.runner.bench;

import io.lem.runner.model.ModelInfo;

/**
 * Bytes a decode step must read from memory: every weight it multiplies by once (the token embedding only for the
 * rows it looks up, unless it is also the LM head; a learned position table likewise), plus the KV cache columns
 * attention reads at that step. Writes (one new KV column, activations) and re-reads that caches absorb are not
 * counted: this is the floor that memory-bandwidth utilisation (MBU) is measured against.
 */
public final class DecodeTraffic {

    private DecodeTraffic() {
    }

    /** Weight bytes read by one decode step over {@code batch} sequences. */
    public static long weightBytes(ModelInfo info, int bytesPerElement, int batch) {
        long hidden = info.hiddenSize();
        long tokenTable = (long) info.vocabSize() * hidden;
        long elements = info.parameters();
        if (!info.tiedEmbeddings()) {
            elements -= tokenTable - batch * hidden; // the untied embedding: only the looked-up rows
        }
        if (info.learnedPositions()) {
            elements -= ((long) info.maxPositions() - batch) * hidden; // position table: one row per sequence
        }
        return elements * bytesPerElement;
    }

    /** KV-cache bytes attention reads at a step that attends over {@code keys} columns (new one included). */
    public static long kvCacheBytes(ModelInfo info, int bytesPerElement, int batch, long keys) {
        return 2L * info.numLayers() * batch * info.numKvHeads() * info.headDim() * keys * bytesPerElement;
    }

    /**
     * Mean bytes per step over the {@code newTokens - 1} decode steps after a prefill of {@code promptTokens}: step
     * {@code s} (1-based) attends over {@code promptTokens + s} columns, so the mean is {@code promptTokens +
     * newTokens / 2}.
     */
    public static double meanStepBytes(ModelInfo info, int bytesPerElement, int batch, int promptTokens,
            int newTokens) {
        if (newTokens < 2) {
            throw new IllegalArgumentException("a decode step needs newTokens >= 2, was " + newTokens);
        }
        double meanKeys = promptTokens + newTokens / 2.0;
        return weightBytes(info, bytesPerElement, batch)
                + 2.0 * info.numLayers() * batch * info.numKvHeads() * info.headDim() * meanKeys * bytesPerElement;
    }
}
