package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The mutable state of one batch being generated: the KV cache on the device and where each sequence starts.
 * Close it (try-with-resources) to release every tensor of the batch at once; nothing of a batch outlives it.
 *
 * <h2>Layout</h2>
 * Sequences are LEFT-padded to a common length, so one cache column holds the same step for every sequence and the
 * newest token of every sequence is in the last column. Per layer the cache is two preallocated tensors in the
 * compute dtype: keys stored transposed, {@code [batch, kvHeads, headDim, capacity]}, so that {@code q·kᵀ} is a plain
 * matmul against a slice of the cache, and values {@code [batch, kvHeads, capacity, headDim]}. A forward pass over
 * {@code T} new tokens writes columns {@code [length, length + T)} in place and attends over {@code [0, length + T)}.
 * Preallocating and writing in place costs O(T) per step; growing the cache with concat costs O(length) per step
 * (measured with DJL here: 0.15 ms vs 8.8 ms per step at batch 32, 3 KV heads, 512 columns).
 *
 * <h2>Positions and masks</h2>
 * Sequence {@code b} has {@code padding[b]} pad columns on the left; its first real token has position 0, so the token
 * in column {@code c} has position {@code c - padding[b]} (pad columns get position 0; their output is never used).
 * The attention mask hides pad columns and future columns (and, for sliding-window models, columns more than
 * {@code window} positions back).
 *
 * <p>Intermediate tensors of one forward pass belong to a per-step sub-manager ({@link #newStep()}) that the model
 * closes when the pass is done, so native memory does not grow with the number of steps.
 */
public final class BatchState implements AutoCloseable {

    /** Additive mask value: large, negative and finite, so a fully masked (pad) row stays finite in float32. */
    public static final float MASKED = -1e9f;

    private final NDManager manager;
    private final int batchSize;
    private final int capacity;
    private final int[] padding;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final boolean padded;
    private final CountedFlops flops = new CountedFlops();
    private int length;
    private boolean closed;
    /** Per layer and sequence, the key and value caches as buffers over the tensors' memory, made lazily. */
    private ByteBuffer[][][] cacheBuffers;
    /** The model's per-batch working memory (Java batch-1 decode), kept across steps; see {@link #scratch()}. */
    private Object scratch;
    private boolean reusedLogits;

    /**
     * @param parent   the model's manager (the state takes a sub-manager of it)
     * @param dtype    compute dtype of the cache
     * @param layers   transformer layers
     * @param kvHeads  key/value heads
     * @param headDim  width of one head
     * @param padding  left pad columns per sequence (its length is the batch size)
     * @param capacity cache columns: padded prompt length + new tokens that will be fed back
     */
    public BatchState(NDManager parent, DataType dtype, int layers, int kvHeads, int headDim, int[] padding,
            int capacity) {
        if (padding.length == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        for (int p : padding) {
            if (p < 0 || p >= capacity) {
                throw new IllegalArgumentException("padding " + p + " outside [0, " + capacity + ")");
            }
        }
        this.manager = parent.newSubManager();
        this.batchSize = padding.length;
        this.capacity = capacity;
        this.padding = padding.clone();
        this.padded = Arrays.stream(padding).anyMatch(p -> p > 0);
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        try {
            Shape keyShape = new Shape(batchSize, kvHeads, headDim, capacity);
            Shape valueShape = new Shape(batchSize, kvHeads, capacity, headDim);
            for (int l = 0; l < layers; l++) {
                // zeroed: a column is written once, by adding the new keys/values to its zeros (see append)
                keys[l] = manager.zeros(keyShape, dtype);
                values[l] = manager.zeros(valueShape, dtype);
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public int batchSize() {
        return batchSize;
    }

    public int capacity() {
        return capacity;
    }

    /** Cache columns filled so far. */
    public int length() {
        return length;
    }

    public int padding(int sequence) {
        return padding[sequence];
    }

    /** The FLOPs executed on this batch so far. */
    public CountedFlops flops() {
        return flops;
    }

    public NDManager manager() {
        return manager;
    }

    /** A manager for the intermediates of one forward pass; close it when the pass is done. */
    public NDManager newStep() {
        ensureOpen();
        return manager.newSubManager();
    }

    /** Fails unless {@code tokens} holds {@code t} tokens per sequence and {@code t} more columns fit. */
    public void checkInput(int[] tokens, int t) {
        if (tokens.length != batchSize * t) {
            throw new IllegalArgumentException("expected " + batchSize + "×" + t + " tokens, got " + tokens.length);
        }
        checkRoom(t);
    }

    /** Fails unless {@code t} more columns fit. */
    public void checkRoom(int t) {
        ensureOpen();
        if (t < 1 || length + t > capacity) {
            throw new IllegalStateException("cannot add " + t + " tokens: " + length + " of " + capacity
                    + " cache columns are used");
        }
    }

    /** Position ids {@code [batch, t]} (int64) of the next {@code t} columns. */
    public NDArray positionIds(NDManager step, int t) {
        long[] ids = new long[batchSize * t];
        for (int b = 0; b < batchSize; b++) {
            for (int i = 0; i < t; i++) {
                ids[b * t + i] = Math.max(0, length + i - padding[b]);
            }
        }
        return step.create(ids, new Shape(batchSize, t));
    }

    /** The largest position id the next {@code t} columns will use. */
    public int maxPosition(int t) {
        int min = Arrays.stream(padding).min().orElse(0);
        return Math.max(0, length + t - 1 - min);
    }

    /**
     * The additive attention mask {@code [batch, 1, t, length + t]} (float32) for the next {@code t} columns: 0 where
     * a query may attend, {@link #MASKED} where the key is a pad, in the future, or (when {@code window > 0}) at least
     * {@code window} positions back. Null when nothing is masked (one new token, no padding, no window in reach):
     * the model then skips the mask ops.
     */
    public NDArray attentionMask(NDManager step, int t, int window) {
        int keysLen = length + t;
        boolean windowed = window > 0 && keysLen > window;
        if (t == 1 && !windowed && !padded) {
            return null;
        }
        float[] pad = new float[batchSize * keysLen];
        for (int b = 0; b < batchSize; b++) {
            Arrays.fill(pad, b * keysLen, b * keysLen + Math.min(padding[b], keysLen), MASKED);
        }
        NDArray mask = step.create(pad, new Shape(batchSize, 1, 1, keysLen));
        if (t == 1 && !windowed) {
            return mask; // a single new token may see every filled column
        }
        float[] causal = new float[t * keysLen];
        for (int i = 0; i < t; i++) {
            int query = length + i;
            for (int c = 0; c < keysLen; c++) {
                if (c > query || (windowed && query - c >= window)) {
                    causal[i * keysLen + c] = MASKED;
                }
            }
        }
        return mask.add(step.create(causal, new Shape(1, 1, t, keysLen)));
    }

    /**
     * Writes the keys ({@code kT}: {@code [batch, kvHeads, headDim, t]}, transposed) and values ({@code v}:
     * {@code [batch, kvHeads, t, headDim]}) of the next {@code t} columns into layer {@code layer}'s cache and returns
     * the cached keys {@code [batch, kvHeads, headDim, length + t]} and values {@code [batch, kvHeads, length + t,
     * headDim]} (views, attached to {@code step}).
     */
    public NDArray[] append(NDManager step, int layer, NDArray kT, NDArray v) {
        long t = v.getShape().get(2);
        // in-place add into a zeroed slice view: two JNI calls per tensor, where set(NDIndex, array) builds a
        // native index dimension by dimension (about seven)
        keys[layer].get(step, new NDIndex().addAllDim(3).addSliceDim(length, length + t)).addi(kT);
        values[layer].get(step, new NDIndex().addAllDim(2).addSliceDim(length, length + t)).addi(v);
        return new NDArray[] {keys[layer].get(step, new NDIndex().addAllDim(3).addSliceDim(0, length + t)),
                values[layer].get(step, new NDIndex().addAllDim(2).addSliceDim(0, length + t))};
    }

    /**
     * Layer {@code layer}'s key cache {@code [kvHeads, headDim, capacity]} and value cache
     * {@code [kvHeads, capacity, headDim]} of a batch of one, as float32 buffers in native order over the tensors'
     * own memory (zero-copy, valid until the state is closed), for a single-token pass that reads and writes the
     * cache on the JVM ({@link JavaMatVec#attend}); null unless the batch has one sequence and
     * {@link #sequenceCacheBuffers} has buffers.
     */
    public ByteBuffer[] cacheBuffers(int layer) {
        ByteBuffer[][] perSequence = batchSize == 1 ? sequenceCacheBuffers(layer) : null;
        return perSequence == null ? null : perSequence[0];
    }

    /**
     * Per sequence, its slice of layer {@code layer}'s key cache {@code [kvHeads, headDim, capacity]} and value cache
     * {@code [kvHeads, capacity, headDim]}, as float32 buffers in native order over the tensors' own memory
     * (zero-copy, valid until the state is closed; {@code [sequence] = {keys, values}}), for decode on the JVM
     * ({@link JavaMatVec#attend}, {@link BatchDecode#attend}); null unless the cache is float32 on the CPU and a
     * layer's tensor is under 2 GiB. Made once per layer and kept.
     */
    public ByteBuffer[][] sequenceCacheBuffers(int layer) {
        ensureOpen();
        if (cacheBuffers != null && cacheBuffers[layer] != null) {
            return cacheBuffers[layer]; // every layer of every decode step asks: the checks below ran once
        }
        if (keys[layer].getDataType() != DataType.FLOAT32 || keys[layer].getDevice().isGpu()) {
            return null;
        }
        long bytes = keys[layer].size() * Float.BYTES;
        if (bytes > Integer.MAX_VALUE) {
            return null; // byte buffers are int-indexed
        }
        ByteBuffer k = keys[layer].toByteBuffer(true);
        ByteBuffer v = values[layer].toByteBuffer(true);
        if (!k.isDirect() || !v.isDirect() || k.capacity() < bytes || v.capacity() < bytes) {
            return null;
        }
        int slice = (int) (bytes / batchSize);
        ByteBuffer[][] perSequence = new ByteBuffer[batchSize][];
        for (int b = 0; b < batchSize; b++) {
            // slices start at byte 0 and are big-endian: the order is set again
            perSequence[b] = new ByteBuffer[] {k.slice(b * slice, slice).order(ByteOrder.nativeOrder()),
                    v.slice(b * slice, slice).order(ByteOrder.nativeOrder())};
        }
        if (cacheBuffers == null) {
            cacheBuffers = new ByteBuffer[keys.length][][];
        }
        cacheBuffers[layer] = perSequence;
        return perSequence;
    }

    /**
     * Working memory a model keeps with this batch across its forward passes (the Java single-token path's
     * activation arrays and logits), or null before the model sets one. Fresh arrays every step would each touch
     * pages the heap has not used yet until eden has been recycled once (a page fault per 4 KiB, ~0.5 ms per step for
     * SmolLM2's 49,152 logits and activations); arrays kept here are touched once.
     */
    public Object scratch() {
        return scratch;
    }

    public void scratch(Object value) {
        scratch = value;
    }

    /**
     * Lets a forward pass return the same logits array again (overwritten) at the next pass over this state, instead
     * of a fresh one: for a caller that is done with the logits before the next pass ({@code Generator}). Off by
     * default: the logits stay the caller's.
     */
    public void reuseLogits(boolean on) {
        reusedLogits = on;
    }

    public boolean reusesLogits() {
        return reusedLogits;
    }

    /** Marks {@code t} more columns as filled; the model calls it once per forward pass, after the last layer. */
    public void advance(int t) {
        checkRoom(t);
        length += t;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("batch state is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
