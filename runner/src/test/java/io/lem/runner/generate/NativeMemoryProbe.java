package io.lem.runner.generate;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.SyntheticModels;
import io.lem.runner.engine.SyntheticModels.LlamaSpec;
import io.lem.runner.engine.SyntheticSeq2Seq;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs {@code warm-up + measured} batches and prints VmRSS after each measured batch ({@code rss <kB>}), for
 * {@link NativeMemoryTest}, which starts it in a JVM with a fixed, pre-touched heap so that RSS changes are native
 * memory (PyTorch tensors, allocator) rather than the Java heap being paged in.
 */
public final class NativeMemoryProbe {

    public static void main(String[] args) throws IOException {
        int warmup = Integer.parseInt(args[0]);
        int measured = Integer.parseInt(args[1]);
        boolean t5 = args.length > 2 && args[2].equals("t5");
        // llama: 4 layers × K and V of [8, 4, ~70, 32] float32: ~2.3 MB of KV cache per batch;
        // t5: 3 decoder layers × cross K and V of [8, 4, ~60, 32] plus the self-attention cache: ~1.7 MB per batch
        SyntheticModels.Model m = t5
                ? SyntheticSeq2Seq.t5(new SyntheticSeq2Seq.T5Spec(64, 32, 4, 96, 3, 3, 211, 32, 128, "gated-gelu",
                        false, 4))
                : SyntheticModels.llama(LlamaSpec.small().withHeads(4, 4, 32).withSizes(64, 96, 4, 211));
        Random r = new Random(3);
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            int[] p = new int[48 + r.nextInt(16)];
            for (int j = 0; j < p.length; j++) {
                p[j] = r.nextInt(211);
            }
            prompts.add(p);
        }
        GenerationConfig config = GenerationConfig.builder().maxNewTokens(8).batchSize(8).doSample(true)
                .temperature(0.8).topK(50).seed(5).build();
        try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32))) {
            Generator generator = new Generator(model, config);
            for (int i = 0; i < warmup; i++) {
                generator.generate(prompts, null);
            }
            for (int i = 0; i < measured; i++) {
                generator.generate(prompts, null);
                System.out.println("rss " + rssKb());
            }
        }
    }

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
