package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Not a test: go/no-go probe for a Java (Vector API) float32 matrix-vector product against MKL's, on the weight set
 * of a batch-1 decode step of SmolLM2-135M (30 layers of fused q|k|v {@code [960, 576]}, o {@code [576, 576]}, fused
 * gate|up {@code [3072, 576]}, down {@code [576, 1536]}, plus the LM head {@code [49152, 576]}: 542 MB, so every sweep
 * streams from memory). Variants run interleaved, round after round, in one process; each prints the best and median
 * sweep as GB/s of weights read. "Java direct" is the production kernel ({@link VectorKernels#multiply}, one row and
 * four vectors at a time, from the tensor's direct buffer); the other Java variants ({@link KernelVariants}) are the
 * layouts tried on the way (several rows at once, a Java {@code float[]} copy of the weights).
 *
 * <p>Run (needs the incubator module): {@code java --add-modules jdk.incubator.vector -cp
 * runner/target/test-classes:runner/target/classes:<deps> io.lem.runner.engine.MatVecBenchmark [rounds] [sweeps]
 * [spinMicros]}
 */
public final class MatVecBenchmark {

    private record Mat(NDArray nd, NDArray[] halves, ByteBuffer direct, float[] copy, int rows, int cols) {
    }

    private interface Sweep {
        void run();
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int sweeps = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long spin = args.length > 2 ? Long.parseLong(args[2]) : 50;
        System.out.println("lanes " + VectorKernels.lanes() + ", spin " + spin + " us");
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            JniUtils.setNumThreads(1);
            Random random = new Random(1);
            int[][] shapes = {{960, 576}, {576, 576}, {3072, 576}, {576, 1536}};
            List<Mat> mats = new ArrayList<>();
            for (int l = 0; l < 30; l++) {
                for (int[] s : shapes) {
                    mats.add(mat(manager, random, s[0], s[1]));
                }
            }
            mats.add(mat(manager, random, 49152, 576));
            long bytes = 0;
            for (Mat m : mats) {
                bytes += (long) m.rows * m.cols * 4;
            }
            System.out.printf("%d products, %.1f MB%n", mats.size(), bytes / 1e6);

            // zero-copy check: a write through the buffer shows in the tensor
            Mat first = mats.get(0);
            float before = first.direct.getFloat(4);
            first.direct.putFloat(4, 12345f);
            float seen = first.nd.get(0, 1).getFloat();
            first.direct.putFloat(4, before);
            System.out.println("zero-copy (write through buffer seen by tensor): " + (seen == 12345f));

            Map<Integer, float[]> xs = new LinkedHashMap<>();
            Map<Integer, NDArray> xnd = new LinkedHashMap<>();
            Map<Integer, float[]> ys = new LinkedHashMap<>();
            for (Mat m : mats) {
                xs.computeIfAbsent(m.cols, c -> {
                    float[] x = new float[c];
                    for (int i = 0; i < c; i++) {
                        x[i] = (float) random.nextGaussian();
                    }
                    return x;
                });
                xnd.computeIfAbsent(m.cols, c -> manager.create(xs.get(c), new Shape(c, 1)));
                ys.computeIfAbsent(m.rows, float[]::new);
            }

            // correctness: Java vs MKL on every shape
            for (int i = 0; i < 4; i++) {
                check(mats.get(i), xs, xnd, ys);
            }
            check(mats.get(mats.size() - 1), xs, xnd, ys);

            ExecutorService exec = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "bench-exec");
                t.setDaemon(true);
                return t;
            });
            PairWorker pair = new PairWorker("bench-pair", spin);

            Map<String, Sweep> variants = new LinkedHashMap<>();
            variants.put("MKL 1 thread", () -> {
                for (Mat m : mats) {
                    try (NDManager s = manager.newSubManager()) {
                        NDArray y = m.nd.matMul(xnd.get(m.cols));
                        y.attach(s);
                    }
                }
            });
            variants.put("MKL split (SplitMatVec)", () -> {
                for (Mat m : mats) {
                    try (NDManager s = manager.newSubManager()) {
                        NDArray x = xnd.get(m.cols);
                        s.tempAttachAll(x);
                        SplitMatVec.multiply(m.halves[0], m.halves[1], x);
                    }
                }
            });
            variants.put("Java direct 1 thread", () -> {
                for (Mat m : mats) {
                    VectorKernels.multiply(m.direct, m.cols, xs.get(m.cols), ys.get(m.rows), 0, m.rows);
                }
            });
            variants.put("Java direct 4 rows 1 thread", () -> {
                for (Mat m : mats) {
                    KernelVariants.direct4(m.direct, m.cols, xs.get(m.cols), ys.get(m.rows), 0, m.rows);
                }
            });
            variants.put("Java float[] 1 thread", () -> {
                for (Mat m : mats) {
                    KernelVariants.float4(m.copy, m.cols, xs.get(m.cols), ys.get(m.rows), 0, m.rows);
                }
            });
            variants.put("Java direct8 1 thread", () -> {
                for (Mat m : mats) {
                    KernelVariants.direct8(m.direct, m.cols, xs.get(m.cols), ys.get(m.rows), 0, m.rows);
                }
            });
            variants.put("Java direct2x4 1 thread", () -> {
                for (Mat m : mats) {
                    KernelVariants.direct2x4(m.direct, m.cols, xs.get(m.cols), ys.get(m.rows), 0, m.rows);
                }
            });
            variants.put("Java direct2x4 2 thr spin/park", () -> {
                for (Mat m : mats) {
                    int half = m.rows / 2;
                    float[] x = xs.get(m.cols);
                    float[] y = ys.get(m.rows);
                    pair.run(() -> KernelVariants.direct2x4(m.direct, m.cols, x, y, 0, half),
                            () -> KernelVariants.direct2x4(m.direct, m.cols, x, y, half, m.rows));
                }
            });
            variants.put("Java float8 1 thread", () -> {
                for (Mat m : mats) {
                    KernelVariants.float8(m.copy, m.cols, xs.get(m.cols), ys.get(m.rows), 0, m.rows);
                }
            });
            variants.put("Java float8 2 thr spin/park", () -> {
                for (Mat m : mats) {
                    int half = m.rows / 2;
                    float[] x = xs.get(m.cols);
                    float[] y = ys.get(m.rows);
                    pair.run(() -> KernelVariants.float8(m.copy, m.cols, x, y, 0, half),
                            () -> KernelVariants.float8(m.copy, m.cols, x, y, half, m.rows));
                }
            });
            variants.put("Java direct8 2 thr spin/park", () -> {
                for (Mat m : mats) {
                    int half = m.rows / 2;
                    float[] x = xs.get(m.cols);
                    float[] y = ys.get(m.rows);
                    pair.run(() -> KernelVariants.direct8(m.direct, m.cols, x, y, 0, half),
                            () -> KernelVariants.direct8(m.direct, m.cols, x, y, half, m.rows));
                }
            });
            variants.put("Java direct 2 thr executor", () -> {
                for (Mat m : mats) {
                    int half = m.rows / 2;
                    float[] x = xs.get(m.cols);
                    float[] y = ys.get(m.rows);
                    Future<?> f = exec.submit(() -> VectorKernels.multiply(m.direct, m.cols, x, y, half, m.rows));
                    VectorKernels.multiply(m.direct, m.cols, x, y, 0, half);
                    try {
                        f.get();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }
            });
            variants.put("Java direct 2 thr spin/park", () -> {
                for (Mat m : mats) {
                    int half = m.rows / 2;
                    float[] x = xs.get(m.cols);
                    float[] y = ys.get(m.rows);
                    pair.run(() -> VectorKernels.multiply(m.direct, m.cols, x, y, 0, half),
                            () -> VectorKernels.multiply(m.direct, m.cols, x, y, half, m.rows));
                }
            });
            variants.put("Java direct 2 thr + JNI in/out", () -> {
                for (Mat m : mats) {
                    try (NDManager s = manager.newSubManager()) {
                        int half = m.rows / 2;
                        float[] x = xnd.get(m.cols).toFloatArray();
                        float[] y = new float[m.rows];
                        pair.run(() -> VectorKernels.multiply(m.direct, m.cols, x, y, 0, half),
                                () -> VectorKernels.multiply(m.direct, m.cols, x, y, half, m.rows));
                        s.create(y, new Shape(m.rows, 1));
                    }
                }
            });
            variants.put("Java float[] 2 thr spin/park", () -> {
                for (Mat m : mats) {
                    int half = m.rows / 2;
                    float[] x = xs.get(m.cols);
                    float[] y = ys.get(m.rows);
                    pair.run(() -> KernelVariants.float4(m.copy, m.cols, x, y, 0, half),
                            () -> KernelVariants.float4(m.copy, m.cols, x, y, half, m.rows));
                }
            });

            String only = System.getProperty("variants");
            if (only != null) {
                variants.keySet().removeIf(k -> Arrays.stream(only.split(",")).noneMatch(k::contains));
            }
            Map<String, List<Double>> times = new LinkedHashMap<>();
            for (String v : variants.keySet()) {
                times.put(v, new ArrayList<>());
            }
            // warm-up (JIT)
            for (Sweep s : variants.values()) {
                s.run();
                s.run();
            }
            for (int r = 0; r < rounds; r++) {
                for (Map.Entry<String, Sweep> e : variants.entrySet()) {
                    for (int i = 0; i < sweeps; i++) {
                        long t0 = System.nanoTime();
                        e.getValue().run();
                        times.get(e.getKey()).add((System.nanoTime() - t0) / 1e6);
                    }
                }
                System.out.printf("round %d done (%s)%n", r + 1, loadAverage());
            }
            for (Map.Entry<String, List<Double>> e : times.entrySet()) {
                double[] t = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                System.out.printf("%-32s best %6.2f ms (%5.1f GB/s)  median %6.2f ms (%5.1f GB/s)%n", e.getKey(),
                        t[0], bytes / t[0] / 1e6, t[t.length / 2], bytes / t[t.length / 2] / 1e6);
            }
        }
    }

    private static String loadAverage() {
        try {
            return "loadavg " + new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg")))
                    .trim();
        } catch (java.io.IOException e) {
            return "loadavg ?";
        }
    }

    private static void check(Mat m, Map<Integer, float[]> xs, Map<Integer, NDArray> xnd, Map<Integer, float[]> ys) {
        float[] ref = m.nd.matMul(xnd.get(m.cols)).toFloatArray();
        float[] y = ys.get(m.rows);
        VectorKernels.multiply(m.direct, m.cols, xs.get(m.cols), y, 0, m.rows);
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            worst = Math.max(worst, Math.abs(y[i] - ref[i]) / (Math.abs(ref[i]) + 1e-3));
        }
        KernelVariants.float4(m.copy, m.cols, xs.get(m.cols), y, 0, m.rows);
        double worstCopy = 0;
        for (int i = 0; i < ref.length; i++) {
            worstCopy = Math.max(worstCopy, Math.abs(y[i] - ref[i]) / (Math.abs(ref[i]) + 1e-3));
        }
        System.out.printf("check [%d, %d]: worst relative difference direct %.2e, copy %.2e%n", m.rows, m.cols, worst,
                worstCopy);
    }

    private static Mat mat(NDManager manager, Random random, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * 0.05);
        }
        NDArray nd = manager.create(w, new Shape(rows, cols));
        ByteBuffer direct = nd.toByteBuffer(true);
        return new Mat(nd, SplitMatVec.halves(nd, rows / 2), direct, Arrays.copyOf(w, w.length), rows, cols);
    }
}
