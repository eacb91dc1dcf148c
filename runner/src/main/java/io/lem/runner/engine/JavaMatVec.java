package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Float32 matrix-vector products in Java (JDK incubator Vector API) for single-token passes (batch-1 decode), reading
 * the weights straight from the PyTorch tensors' memory (a direct byte buffer over the tensor's storage, no copy).
 * MKL's gemv reads only 14-18 GB/s per core on SmolLM2's layer shapes and does not use a second thread; this kernel
 * reads ~24 GB/s on one core and 40-45 GB/s split by output rows over two threads (the caller and one worker, see
 * {@link PairWorker}), measured in one process against MKL ({@code MatVecBenchmark}).
 *
 * <p>Needs the {@code jdk.incubator.vector} module at run time ({@code --add-modules jdk.incubator.vector}; the JVM
 * then prints "WARNING: Using incubator modules" once). Without it {@link #active()} is false and the models use
 * their DJL path: nothing fails. {@code -Dlem.engine.java-matvec=false} turns it off, {@code =true} (or
 * {@link #force}) forces it on with the two-thread split even when one intra-op thread is configured (tests);
 * by default it is on when the module is present, split over two threads when more than one intra-op thread is
 * configured.
 */
public final class JavaMatVec {

    /** Rows below which a product is not split over two threads (the hand-off costs more than it saves). */
    private static final int SPLIT_MIN_ROWS = 64;

    private static final boolean MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static volatile Boolean forced = parse(System.getProperty("lem.engine.java-matvec"));
    private static volatile PairWorker worker;
    private static volatile boolean attention = !"false".equalsIgnoreCase(
            System.getProperty("lem.engine.java-attention"));
    private static final AtomicLong PRODUCTS = new AtomicLong();

    private JavaMatVec() {
    }

    private static Boolean parse(String value) {
        return value == null || value.equalsIgnoreCase("auto") ? null : Boolean.valueOf(value);
    }

    /** Whether the incubator Vector API module is present in this JVM. */
    public static boolean available() {
        return MODULE;
    }

    /** Whether single-token passes use the Java products: the module is present and the path is not turned off. */
    public static boolean active() {
        return MODULE && !Boolean.FALSE.equals(forced);
    }

    /** Forces the path on (with the two-thread split) or off; null restores the default. */
    public static void force(Boolean on) {
        forced = on;
    }

    /**
     * Whether the single-token path also does attention on the JVM over the cache's memory (default; off with
     * {@code -Dlem.engine.java-attention=false}: attention then runs as PyTorch ops).
     */
    public static boolean attentionOnJvm() {
        return attention;
    }

    /** Sets {@link #attentionOnJvm()} (benchmarks). */
    public static void attentionOnJvm(boolean on) {
        attention = on;
    }

    /** Products computed so far (tests check that the path was taken). */
    public static long products() {
        return PRODUCTS.get();
    }

    static boolean split() {
        return Boolean.TRUE.equals(forced) || IntraOpThreads.configured() > 1;
    }

    /** The worker thread the products, attention and batch attention share (one caller at a time). */
    static PairWorker worker() {
        PairWorker w = worker;
        if (w == null) {
            synchronized (JavaMatVec.class) {
                w = worker;
                if (w == null) {
                    w = new PairWorker("lem-matvec-java", 50);
                    worker = w;
                }
            }
        }
        return w;
    }

    /**
     * A view of {@code w} for the Java products, or null when it cannot be one (module absent, not a float32 2-D CPU
     * tensor, or over 2 GiB: byte buffers are int-indexed). Keep {@code w} open while the matrix is used: the buffer
     * is the tensor's memory.
     */
    public static Matrix of(NDArray w) {
        if (!MODULE || w == null || w.getDataType() != DataType.FLOAT32 || w.getShape().dimension() != 2
                || w.getDevice().isGpu()) {
            return null;
        }
        long rows = w.getShape().get(0);
        long cols = w.getShape().get(1);
        if (rows * cols * Float.BYTES > Integer.MAX_VALUE - 64) {
            return null;
        }
        // the storage itself for a contiguous CPU tensor (PtNDArray: torchDirectByteBuffer over data_ptr); a
        // non-contiguous one would be copied first, to a tensor owned by w's manager
        ByteBuffer data = w.toByteBuffer(true);
        if (!data.isDirect() || data.capacity() < rows * cols * Float.BYTES) {
            return null;
        }
        return new Matrix(w, data.order(ByteOrder.nativeOrder()), (int) rows, (int) cols);
    }

    /**
     * Single-token attention of a batch of one on the JVM over its float32 cache buffers
     * ({@link BatchState#cacheBuffers}): writes the new key and value at column {@code column}, then the context of
     * every query head over columns {@code [from, column]} (earlier ones are masked) into {@code context}.
     *
     * @param qkv     q heads {@code [heads, headDim]} then k and v {@code [kvHeads, headDim]} each (rotated, q scaled)
     * @param cache   the layer's key {@code [kvHeads, headDim, capacity]} and value {@code [kvHeads, capacity,
     *                headDim]} buffers
     */
    public static void attend(float[] qkv, int heads, int kvHeads, int headDim, java.nio.ByteBuffer[] cache,
            int capacity, int from, int column, float[] context) {
        attend(qkv, heads, kvHeads, headDim, cache, capacity, from, column, context, null, null);
    }

    /**
     * {@link #attend} with scratch arrays for the scores (each replaced by a fresh one when null or too short): the
     * query heads are split over two threads like the products (when those are split), {@code scores} for the
     * caller's half and {@code workerScores} for the worker's.
     */
    public static void attend(float[] qkv, int heads, int kvHeads, int headDim, java.nio.ByteBuffer[] cache,
            int capacity, int from, int column, float[] context, float[] scores, float[] workerScores) {
        if (column >= capacity || from < 0 || from > column || heads % kvHeads != 0) {
            throw new IllegalArgumentException("column " + column + " from " + from + " capacity " + capacity);
        }
        float[] mine = scores == null || scores.length < column + 1 ? new float[column + 1] : scores;
        VectorKernels.writeColumn(qkv, heads, kvHeads, headDim, cache[0], cache[1], capacity, column);
        if (heads >= 2 && split()) {
            float[] other = workerScores == null || workerScores.length < column + 1 ? new float[column + 1]
                    : workerScores;
            int half = heads / 2;
            worker().run(() -> VectorKernels.attendHeads(qkv, heads, kvHeads, headDim, cache[0], cache[1], capacity,
                    from, column, mine, context, 0, half),
                    () -> VectorKernels.attendHeads(qkv, heads, kvHeads, headDim, cache[0], cache[1], capacity, from,
                            column, other, context, half, heads));
        } else {
            VectorKernels.attendHeads(qkv, heads, kvHeads, headDim, cache[0], cache[1], capacity, from, column, mine,
                    context, 0, heads);
        }
    }

    /**
     * {@code out[i] = silu(gateUp[i]) · gateUp[n + i]} for {@code i < n} (the SwiGLU of a fused gate|up product),
     * vectorized (the Vector API's exp).
     */
    public static void swiglu(float[] gateUp, int n, float[] out) {
        if (gateUp.length < 2 * n || out.length < n) {
            throw new IllegalArgumentException("swiglu of " + n + " from " + gateUp.length + " into " + out.length);
        }
        VectorKernels.swiglu(gateUp, n, out);
    }

    /** A float32 row-major {@code [rows, cols]} matrix in a tensor's memory. */
    public static final class Matrix {
        private final NDArray owner;
        private final ByteBuffer data;
        private final int rows;
        private final int cols;

        private Matrix(NDArray owner, ByteBuffer data, int rows, int cols) {
            this.owner = owner;
            this.data = data;
            this.rows = rows;
            this.cols = cols;
        }

        public int rows() {
            return rows;
        }

        public int cols() {
            return cols;
        }

        /** The tensor whose memory this is. */
        public NDArray tensor() {
            return owner;
        }

        /** {@code y = W · x} ({@code x} of length cols, {@code y} of at least rows). */
        public void multiply(float[] x, float[] y) {
            if (x.length < cols || y.length < rows) {
                throw new IllegalArgumentException("[" + rows + ", " + cols + "] times " + x.length + " into "
                        + y.length);
            }
            PRODUCTS.incrementAndGet();
            if (rows >= SPLIT_MIN_ROWS && split()) {
                int half = rows / 2;
                worker().run(() -> VectorKernels.multiply(data, cols, x, y, 0, half),
                        () -> VectorKernels.multiply(data, cols, x, y, half, rows));
            } else {
                VectorKernels.multiply(data, cols, x, y, 0, rows);
            }
        }

        /** Copies row {@code r} into {@code out} (an embedding lookup). */
        public void row(int r, float[] out) {
            if (r < 0 || r >= rows) {
                throw new IndexOutOfBoundsException("row " + r + " of " + rows);
            }
            data.duplicate().order(ByteOrder.nativeOrder()).position(r * cols * Float.BYTES).asFloatBuffer()
                    .get(out, 0, cols);
        }
    }
}
