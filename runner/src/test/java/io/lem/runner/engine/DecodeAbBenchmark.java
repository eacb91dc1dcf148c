package io.lem.runner.engine;

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
 * Not a test: batch-1 decode ms/step of SmolLM2-135M's dims (random weights, float32), the single-token paths
 * interleaved in one process, round after round: {@code java} (JavaMatVec), {@code java-djl-attention} (the same
 * with attention as PyTorch ops), {@code split} (SplitMatVec, MKL halves
 * on two threads), {@code plain} (one MKL gemv per product). Args: rounds, prompt tokens, new tokens, modes.
 * Run with {@code --add-modules jdk.incubator.vector} on the test class path.
 */
public final class DecodeAbBenchmark {

    public static void main(String[] args) throws Exception {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads",
                    Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int promptLen = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int newTokens = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        List<String> modes = Arrays.asList((args.length > 3 ? args[3] : "java,split").split(","));
        LlamaSpec spec = new LlamaSpec("llama", 576, 9, 3, 64, 1536, 30, 49152, true, false, 8192, null, null, 1);
        SyntheticModels.Model m = SyntheticModels.llama(spec);
        try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32))) {
            Random r = new Random(1);
            int[] p = new int[promptLen];
            for (int j = 0; j < p.length; j++) {
                p[j] = r.nextInt(spec.vocab());
            }
            Generator g = new Generator(model, GenerationConfig.builder().maxNewTokens(newTokens).batchSize(1).build());
            Map<String, List<Double>> ms = new LinkedHashMap<>();
            for (String mode : modes) {
                ms.put(mode, new ArrayList<>());
                set(mode);
                g.generate(List.of(p), null); // warm-up
            }
            for (int round = 0; round < rounds; round++) {
                StringBuilder line = new StringBuilder("round " + (round + 1) + ":");
                for (String mode : modes) {
                    set(mode);
                    long[] decode = new long[1];
                    long cpu0 = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                    g.generate(List.of(p), new GenerationListener() {
                        @Override
                        public void onBatchEnd(BatchEnd e) {
                            decode[0] += e.decodeNanos();
                        }
                    });
                    double step = decode[0] / 1e6 / (newTokens - 1);
                    ms.get(mode).add(step);
                    line.append(String.format(" %s %.1f ms/step", mode, step));
                }
                System.out.println(line + " (" + Files.readString(Path.of("/proc/loadavg")).trim() + ")");
            }
            for (Map.Entry<String, List<Double>> e : ms.entrySet()) {
                double[] t = e.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
                System.out.printf("%-6s best %.1f ms/step, median %.1f ms/step%n", e.getKey(), t[0], t[t.length / 2]);
            }
        } finally {
            set("default");
        }
    }

    private static void set(String mode) {
        JavaMatVec.attentionOnJvm(!mode.equals("java-djl-attention"));
        JavaMatVec.force(mode.startsWith("java") ? Boolean.TRUE : mode.equals("default") ? null : Boolean.FALSE);
        SplitMatVec.force(mode.equals("split") ? Boolean.TRUE : mode.equals("default") ? null : Boolean.FALSE);
    }
}
