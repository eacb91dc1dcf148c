package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * The mutable state of one encoder-decoder batch: the decoder's self-attention KV cache (a {@link BatchState} without
 * padding: every decoder sequence starts from the same start token, so the decoder columns line up), and what the
 * encoder left for the decoder: per decoder layer the cross-attention keys (stored transposed,
 * {@code [batch, heads, headDim, source]}) and values ({@code [batch, heads, source, headDim]}), and the additive mask
 * of the encoder's pad columns.
 *
 * <h2>Encoder layout</h2>
 * Encoder inputs are RIGHT-padded: sequence {@code b}'s real tokens are columns {@code [0, sourceLength(b))}, so its
 * positions are the column indices (learned positions and T5's relative buckets need nothing special) and the pad
 * columns after them are hidden from every attention by the key mask. The pad columns' own outputs are computed and
 * never read. Batched results therefore equal one-by-one results.
 *
 * <p>Everything lives in the decoder state's manager and is freed by {@link #close()}; FLOPs of the encoder pass and
 * of every decoder step accumulate in {@link #flops()}.
 */
public final class Seq2SeqState implements AutoCloseable {

    private final BatchState decoder;
    private final int[] sourceLengths;
    private final int sourceWidth;
    private final NDArray[] crossKeys;
    private final NDArray[] crossValues;
    private final boolean padded;

    /**
     * @param parent          the model's manager
     * @param dtype           compute dtype
     * @param layers          decoder layers
     * @param heads           attention heads
     * @param headDim         width of one head
     * @param sourceLengths   real encoder tokens per sequence
     * @param sourceWidth     padded encoder length
     * @param decoderCapacity decoder self-attention cache columns
     */
    public Seq2SeqState(NDManager parent, DataType dtype, int layers, int heads, int headDim, int[] sourceLengths,
            int sourceWidth, int decoderCapacity) {
        for (int len : sourceLengths) {
            if (len < 1 || len > sourceWidth) {
                throw new IllegalArgumentException("source length " + len + " outside [1, " + sourceWidth + "]");
            }
        }
        this.decoder = new BatchState(parent, dtype, layers, heads, headDim, new int[sourceLengths.length],
                decoderCapacity);
        this.sourceLengths = sourceLengths.clone();
        this.sourceWidth = sourceWidth;
        this.crossKeys = new NDArray[layers];
        this.crossValues = new NDArray[layers];
        this.padded = Arrays.stream(sourceLengths).anyMatch(l -> l < sourceWidth);
    }

    /** Fails unless {@code tokens} holds {@code width} encoder tokens for each of the {@code lengths.length} sequences. */
    public static void checkSource(int[] tokens, int[] lengths, int width) {
        if (tokens.length != lengths.length * width) {
            throw new IllegalArgumentException("expected " + lengths.length + "×" + width + " tokens, got "
                    + tokens.length);
        }
    }

    /** The decoder's self-attention cache (no padding; position of column c is c). */
    public BatchState decoder() {
        return decoder;
    }

    public int batchSize() {
        return decoder.batchSize();
    }

    public int sourceWidth() {
        return sourceWidth;
    }

    public int sourceLength(int sequence) {
        return sourceLengths[sequence];
    }

    /** The FLOPs of the encoder pass and every decoder step so far. */
    public CountedFlops flops() {
        return decoder.flops();
    }

    /** The manager the state's tensors live in. */
    public NDManager manager() {
        return decoder.manager();
    }

    /**
     * The additive key mask of the encoder's pad columns {@code [batch, 1, 1, sourceWidth]} (float32, attached to
     * {@code step}), or null when no sequence is padded.
     */
    public NDArray sourceMask(NDManager step) {
        if (!padded) {
            return null;
        }
        int b = sourceLengths.length;
        float[] mask = new float[b * sourceWidth];
        for (int s = 0; s < b; s++) {
            Arrays.fill(mask, s * sourceWidth + sourceLengths[s], (s + 1) * sourceWidth, BatchState.MASKED);
        }
        return step.create(mask, new Shape(b, 1, 1, sourceWidth));
    }

    /** Keeps layer {@code layer}'s cross-attention keys (transposed) and values; they move to the state's manager. */
    public void setCross(int layer, NDArray keysT, NDArray values) {
        keysT.attach(manager());
        values.attach(manager());
        crossKeys[layer] = keysT;
        crossValues[layer] = values;
    }

    public NDArray crossKeys(int layer) {
        return crossKeys[layer];
    }

    public NDArray crossValues(int layer) {
        return crossValues[layer];
    }

    @Override
    public void close() {
        decoder.close();
    }
}
