package io.lem.runner.engine;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.SyntheticModels.LlamaSpec;
import io.lem.runner.generate.GenerationConfig;
import io.lem.runner.generate.GenerationListener;
import io.lem.runner.generate.Generator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Not a test: a throughput probe on a synthetic model ({@code smollm2} = SmolLM2-135M's dims, random weights; or
 * {@code tiny}). Run with the test classpath:
 * {@code java -cp target/test-classes:target/classes:<deps> io.lem.runner.engine.EngineBenchmark smollm2 1,32 64 32 float32}
 * (model, batch sizes, prompt tokens, new tokens, precision, repeats: the fastest run is kept). Prints prefill and decode tokens/s, the counted FLOPs
 * rate and the weight bytes streamed per second in decode.
 */
public final class EngineBenchmark {

    public static void main(String[] args) {
        // production default (all cores), not the tests' single thread (SyntheticModels)
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads",
                    Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
        String which = args.length > 0 ? args[0] : "smollm2";
        String[] batches = (args.length > 1 ? args[1] : "1,32").split(",");
        int promptLen = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int newTokens = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        FpPrecision precision = FpPrecision.valueOf((args.length > 4 ? args[4] : "float32").toUpperCase());
        int repeats = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        LlamaSpec spec = which.equals("smollm2")
                ? new LlamaSpec("llama", 576, 9, 3, 64, 1536, 30, 49152, true, false, 8192, null, null, 1)
                : LlamaSpec.small().withHeads(4, 2, 32).withSizes(64, 96, 2, 211);
        long t0 = System.nanoTime();
        SyntheticModels.Model m = SyntheticModels.llama(spec);
        try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(precision))) {
            System.out.printf("%s: %,d parameters, %s, threads %d, loaded in %.1f s%n", which,
                    model.info().parameters(), precision, IntraOpThreads.configured(),
                    (System.nanoTime() - t0) / 1e9);
            long weightBytes = model.info().parameters() * (precision == FpPrecision.FLOAT16 ? 2 : 4);
            for (String bs : batches) {
                int b = Integer.parseInt(bs.trim());
                Random r = new Random(b);
                List<int[]> prompts = new ArrayList<>();
                for (int i = 0; i < b; i++) {
                    int[] p = new int[promptLen];
                    for (int j = 0; j < p.length; j++) {
                        p[j] = r.nextInt(spec.vocab());
                    }
                    prompts.add(p);
                }
                Generator g = new Generator(model, GenerationConfig.builder().maxNewTokens(newTokens).batchSize(b)
                        .build());
                g.generate(prompts.subList(0, b), null); // warm-up
                // the machine is shared: repeat and keep the fastest run
                Stats s = null;
                for (int rep = 0; rep < repeats; rep++) {
                    Stats run = new Stats();
                    g.generate(prompts, run);
                    if (s == null || run.decodeNanos < s.decodeNanos) {
                        s = run;
                    }
                }
                double decodeS = s.decodeNanos / 1e9;
                double steps = newTokens - 1;
                System.out.printf("batch %3d: prefill %6.1f tok/s (%.3f s) | decode %7.1f tok/s, %.1f ms/step, "
                        + "%.1f GFLOP/s counted, weights %.1f GB/s%n", b, (double) b * promptLen / (s.prefillNanos / 1e9),
                        s.prefillNanos / 1e9, b * steps / decodeS, decodeS * 1e3 / steps,
                        (s.flops - s.prefillFlops) / decodeS / 1e9, weightBytes * steps / decodeS / 1e9);
                System.out.printf("           prefill %.1f GFLOP/s counted%n", s.prefillFlops / (s.prefillNanos / 1e9) / 1e9);
            }
        }
    }

    private static final class Stats implements GenerationListener {
        long prefillNanos;
        long decodeNanos;
        double flops;
        double prefillFlops;

        @Override
        public void onBatchEnd(BatchEnd e) {
            prefillNanos += e.prefillNanos();
            decodeNanos += e.decodeNanos();
            flops += e.countedFlops().flops();
        }

        @Override
        public void onPrefillDone(PrefillDone e) {
            prefillFlops += e.countedFlops().flops();
        }
    }
}
