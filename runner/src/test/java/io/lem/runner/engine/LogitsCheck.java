package io.lem.runner.engine;

import io.lem.runner.model.CausalLm;

import java.util.List;
import java.util.function.Function;

/**
 * Runs sequences through the engine as one left-padded batch (prefill over each prompt, then forced decode steps
 * feeding the sequence's own next tokens) and compares every produced logits row with a reference forward pass over
 * the unpadded sequence. The error of a row is {@code max|engine - reference| / max|reference|}.
 */
public final class LogitsCheck {

    private LogitsCheck() {
    }

    /**
     * @param sequences   full token sequences
     * @param promptLens  prompt length per sequence; the remaining tokens of each are fed one step at a time (all
     *                    sequences must have the same number of remaining tokens)
     * @return the largest relative error over all rows
     */
    public static double maxRelativeError(CausalLm model, Function<int[], double[][]> reference,
            List<int[]> sequences, int[] promptLens) {
        int b = sequences.size();
        int steps = sequences.get(0).length - promptLens[0];
        int width = 0;
        for (int l : promptLens) {
            width = Math.max(width, l);
        }
        int vocab = model.info().vocabSize();
        int[] padding = new int[b];
        int[] tokens = new int[b * width];
        for (int s = 0; s < b; s++) {
            if (sequences.get(s).length - promptLens[s] != steps) {
                throw new IllegalArgumentException("all sequences need the same number of decode steps");
            }
            padding[s] = width - promptLens[s];
            System.arraycopy(sequences.get(s), 0, tokens, s * width + padding[s], promptLens[s]);
        }
        double[][][] ref = new double[b][][];
        for (int s = 0; s < b; s++) {
            ref[s] = reference.apply(sequences.get(s));
        }
        double worst = 0;
        try (BatchState state = model.newState(padding, width + steps)) {
            float[] logits = model.forward(state, tokens, width);
            for (int s = 0; s < b; s++) {
                worst = Math.max(worst, error(logits, s * vocab, ref[s][promptLens[s] - 1]));
            }
            for (int step = 0; step < steps; step++) {
                int[] feed = new int[b];
                for (int s = 0; s < b; s++) {
                    feed[s] = sequences.get(s)[promptLens[s] + step];
                }
                logits = model.forward(state, feed, 1);
                for (int s = 0; s < b; s++) {
                    worst = Math.max(worst, error(logits, s * vocab, ref[s][promptLens[s] + step]));
                }
            }
        }
        return worst;
    }

    static double error(float[] logits, int offset, double[] ref) {
        double maxRef = 0;
        double maxDiff = 0;
        for (int i = 0; i < ref.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
            double d = Math.abs(logits[offset + i] - ref[i]);
            if (Double.isNaN(d)) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, d);
        }
        return maxDiff / Math.max(maxRef, 1e-12);
    }

    /** Random token ids. */
    public static int[] randomTokens(java.util.Random r, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(vocab);
        }
        return t;
    }
}
