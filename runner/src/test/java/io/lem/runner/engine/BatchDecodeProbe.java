package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.SyntheticModels.LlamaSpec;
import io.lem.runner.generate.GenerationConfig;
import io.lem.runner.generate.GenerationListener;
import io.lem.runner.generate.Generator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Not a test: where a batch decode step of SmolLM2-135M's dims (float32, random weights) goes. Interleaved in one
 * process, round after round: {@code gemm} (the step's products alone through MKL, as the DJL path issues them:
 * 30 × (q|k|v, o, gate|up, down) + the LM head against {@code [in, batch]} activations already on the device),
 * {@code gemm-io} (the same with each input created from a Java array and each result read back, as a path that keeps
 * the activations on the JVM would), and whole decode steps through the {@link Generator} with the batch path on or
 * off ({@code step-java}, {@code step-djl}; {@code step-java1}: attention on the calling thread only), and
 * {@code gemm-bp} (the products through {@link BatchProducts}, as the JVM batch path issues them). Args: rounds, batch, prompt tokens, new tokens, modes.
 * Run with {@code --add-modules jdk.incubator.vector} on the test class path.
 */
public final class BatchDecodeProbe {

    public static void main(String[] args) throws Exception {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads",
                    Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int promptLen = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int newTokens = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        List<String> modes = Arrays.asList((args.length > 4 ? args[4] : "gemm,gemm-io,step-djl").split(","));
        LlamaSpec spec = new LlamaSpec("llama", 576, 9, 3, 64, 1536, 30, 49152, true, false, 8192, null, null, 1);
        SyntheticModels.Model m = SyntheticModels.llama(spec);
        try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32));
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Random r = new Random(1);
            // the products' weights: fresh random tensors of the step's shapes (the model's own are not exposed)
            int[][] shapes = {{960, 576}, {576, 576}, {3072, 576}, {576, 1536}};
            List<NDArray> ws = new ArrayList<>();
            for (int l = 0; l < 30; l++) {
                for (int[] s : shapes) {
                    ws.add(random(manager, r, s[0], s[1]));
                }
            }
            ws.add(random(manager, r, 49152, 576));
            Map<Integer, float[]> xs = new LinkedHashMap<>();
            Map<Integer, NDArray> xnd = new LinkedHashMap<>();
            for (NDArray w : ws) {
                int in = (int) w.getShape().get(1);
                xs.computeIfAbsent(in, c -> {
                    float[] x = new float[c * batch];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    return x;
                });
                xnd.computeIfAbsent(in, c -> manager.create(xs.get(c), new Shape(c, batch)));
            }
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                int[] p = new int[promptLen - (i % 5)]; // mixed lengths: left padding
                for (int j = 0; j < p.length; j++) {
                    p[j] = r.nextInt(spec.vocab());
                }
                prompts.add(p);
            }
            Generator g = new Generator(model,
                    GenerationConfig.builder().maxNewTokens(newTokens).batchSize(batch).build());
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            for (String mode : modes) {
                ms.put(mode, new ArrayList<>());
                run(mode, ws, xs, xnd, batch, g, prompts, newTokens); // warm-up
            }
            for (int round = 0; round < rounds; round++) {
                StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
                for (String mode : modes) {
                    double step = run(mode, ws, xs, xnd, batch, g, prompts, newTokens);
                    ms.get(mode).add(step);
                    line.append(String.format(" %s %.1f", mode, step));
                }
                System.out.println(line + " ms/step (" + Files.readString(Path.of("/proc/loadavg")).trim() + ")");
            }
            for (Map.Entry<String, List<Double>> e : ms.entrySet()) {
                double[] t = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                System.out.printf("%-10s best %.1f ms/step, median %.1f ms/step%n", e.getKey(), t[0],
                        t[t.length / 2]);
            }
        } finally {
            BatchDecode.force(null);
        }
    }

    private static double run(String mode, List<NDArray> ws, Map<Integer, float[]> xs, Map<Integer, NDArray> xnd,
            int batch, Generator g, List<int[]> prompts, int newTokens) {
        JniUtils.setNumThreads(Runtime.getRuntime().availableProcessors());
        int sweeps = 8;
        switch (mode) {
            case "gemm" -> {
                long best = Long.MAX_VALUE;
                for (int s = 0; s < sweeps; s++) {
                    long t0 = System.nanoTime();
                    for (NDArray w : ws) {
                        try (NDArray y = w.matMul(xnd.get((int) w.getShape().get(1)))) {
                            y.getShape();
                        }
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                return best / 1e6;
            }
            case "gemm-io" -> {
                long best = Long.MAX_VALUE;
                for (int s = 0; s < sweeps; s++) {
                    long t0 = System.nanoTime();
                    for (NDArray w : ws) {
                        try (NDManager step = w.getManager().newSubManager()) {
                            int in = (int) w.getShape().get(1);
                            NDArray x = step.create(xs.get(in), new Shape(in, batch));
                            NDArray y = w.matMul(x);
                            y.attach(step);
                            y.toFloatArray();
                        }
                    }
                    best = Math.min(best, System.nanoTime() - t0);
                }
                return best / 1e6;
            }
            case "gemm-bp" -> {
                long best = Long.MAX_VALUE;
                try (NDManager step = ws.get(0).getManager().newSubManager()) {
                    BatchProducts products = new BatchProducts(step, batch);
                    float[] y = new float[49152 * batch];
                    for (int s = 0; s < sweeps; s++) {
                        long t0 = System.nanoTime();
                        for (NDArray w : ws) {
                            products.multiply(w, xs.get((int) w.getShape().get(1)), y);
                        }
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                }
                return best / 1e6;
            }
            default -> {
                BatchDecode.force(mode.startsWith("step-java"));
                BatchDecode.splitAttention = !mode.equals("step-java1");
                long[] decode = new long[1];
                g.generate(prompts, new GenerationListener() {
                    @Override
                    public void onBatchEnd(BatchEnd e) {
                        decode[0] += e.decodeNanos();
                    }
                });
                return decode[0] / 1e6 / (newTokens - 1);
            }
        }
    }

    private static NDArray random(NDManager manager, Random r, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.02);
        }
        return manager.create(w, new Shape(rows, cols));
    }
}
