package io.lem.runner.engine;

import io.lem.runner.model.Seq2SeqLm;

import java.util.List;
import java.util.function.BiFunction;

/**
 * Runs encoder-decoder pairs through the engine as one batch (right-padded encoder inputs; the decoder inputs fed
 * {@code firstChunk} columns at once, then one column per step) and compares every produced logits row with a
 * reference forward pass over the unpadded pair. The error of a row is {@code max|engine - reference| /
 * max|reference|}.
 */
public final class Seq2SeqLogitsCheck {

    private Seq2SeqLogitsCheck() {
    }

    /**
     * @param reference     (source, decoder input) → logits per decoder position
     * @param decoderInputs decoder token sequences, all of one length
     * @param firstChunk    decoder columns of the first decode call (1 = one at a time throughout)
     */
    public static double maxRelativeError(Seq2SeqLm model, BiFunction<int[], int[], double[][]> reference,
            List<int[]> sources, List<int[]> decoderInputs, int firstChunk) {
        int b = sources.size();
        int n = decoderInputs.get(0).length;
        int width = sources.stream().mapToInt(s -> s.length).max().orElseThrow();
        int[] lengths = new int[b];
        int[] tokens = new int[b * width];
        java.util.Arrays.fill(tokens, 1);
        for (int s = 0; s < b; s++) {
            lengths[s] = sources.get(s).length;
            System.arraycopy(sources.get(s), 0, tokens, s * width, lengths[s]);
        }
        int vocab = model.info().vocabSize();
        double worst = 0;
        try (Seq2SeqState state = model.encode(tokens, lengths, width, n)) {
            double[][][] ref = new double[b][][];
            for (int s = 0; s < b; s++) {
                ref[s] = reference.apply(sources.get(s), decoderInputs.get(s));
            }
            int at = 0;
            while (at < n) {
                int t = at == 0 ? firstChunk : 1;
                int[] feed = new int[b * t];
                for (int s = 0; s < b; s++) {
                    System.arraycopy(decoderInputs.get(s), at, feed, s * t, t);
                }
                float[] logits = model.decode(state, feed, t);
                at += t;
                for (int s = 0; s < b; s++) {
                    worst = Math.max(worst, LogitsCheck.error(logits, s * vocab, ref[s][at - 1]));
                }
            }
        }
        return worst;
    }
}
