package io.lem.runner.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lem.runner.engine.IntraOpThreads;

import java.util.ArrayList;
import java.util.List;

/**
 * Measures the engine's peak matmul rate and streaming read bandwidth ({@link EnginePeaks}), best of
 * {@code repeats}, at one intra-op thread and at the configured count: the better of the two is the peak, so MFU and
 * MBU are never flattered by a thread count the model did not get to use.
 *
 * <p>Bandwidth is a full {@code sum} over a float32 array much larger than any cache: the read stream of the engine's
 * own vectorised kernels, with no writes. (A matrix-vector product would measure MKL's gemv, which is what decode is
 * judged against, not a bound on it; it reached only 14-18 GB/s on the development CPU for layer-shaped matrices.)
 */
public final class PeakProbe {

    /**
     * @param matmulSizes  n of the square products tried
     * @param readBytes    size of the array the bandwidth probe sums (should dwarf the last-level cache)
     * @param repeats      timed repetitions per figure; the fastest counts
     */
    public record Sizes(List<Integer> matmulSizes, long readBytes, int repeats) {

        public Sizes {
            matmulSizes = List.copyOf(matmulSizes);
            if (matmulSizes.isEmpty() || matmulSizes.stream().anyMatch(n -> n < 1)) {
                throw new IllegalArgumentException("matmul sizes must be >= 1, were " + matmulSizes);
            }
            if (readBytes < 4 || repeats < 1) {
                throw new IllegalArgumentException("readBytes must be >= 4 and repeats >= 1");
            }
        }
    }

    private PeakProbe() {
    }

    public static EnginePeaks measure(NDManager parent, DataType dtype, Sizes sizes) {
        List<Integer> threadCounts = new ArrayList<>(List.of(1));
        int configured = IntraOpThreads.configured();
        if (configured > 1) {
            threadCounts.add(configured);
        }
        double bestFlops = 0;
        int bestSize = 0;
        int flopsThreads = 0;
        double bestRead = 0;
        int readThreads = 0;
        long elements = sizes.readBytes() / dtypeBytes(dtype);
        try (NDManager m = parent.newSubManager()) {
            for (int n : sizes.matmulSizes()) {
                NDArray a = m.randomUniform(-1, 1, new Shape(n, n)).toType(dtype, false);
                NDArray b = m.randomUniform(-1, 1, new Shape(n, n)).toType(dtype, false);
                for (int threads : threadCounts) {
                    long nanos = IntraOpThreads.with(threads, () -> best(m, sizes.repeats(), s -> a.matMul(b)));
                    double rate = 2.0 * n * n * n / (nanos / 1e9);
                    if (rate > bestFlops) {
                        bestFlops = rate;
                        bestSize = n;
                        flopsThreads = threads;
                    }
                }
                a.close();
                b.close();
            }
            NDArray big = m.ones(new Shape(elements), dtype);
            for (int threads : threadCounts) {
                long nanos = IntraOpThreads.with(threads, () -> best(m, sizes.repeats(), s -> big.sum()));
                double rate = elements * dtypeBytes(dtype) / (nanos / 1e9);
                if (rate > bestRead) {
                    bestRead = rate;
                    readThreads = threads;
                }
            }
        }
        return new EnginePeaks(bestFlops, bestSize, flopsThreads, bestRead, elements * dtypeBytes(dtype),
                readThreads);
    }

    /** Fastest of one untimed and {@code repeats} timed runs; reading a scalar of the result synchronises. */
    private static long best(NDManager m, int repeats, java.util.function.Function<NDManager, NDArray> op) {
        long best = Long.MAX_VALUE;
        for (int r = 0; r <= repeats; r++) {
            try (NDManager step = m.newSubManager()) {
                long start = System.nanoTime();
                NDArray out = op.apply(step);
                out.attach(step);
                out.flatten().get(0).toType(DataType.FLOAT32, false).getFloat(); // waits for the result on any device
                long nanos = System.nanoTime() - start;
                if (r > 0) {
                    best = Math.min(best, nanos);
                }
            }
        }
        return best;
    }

    static int dtypeBytes(DataType dtype) {
        return dtype.getNumOfBytes();
    }
}
