package io.lem.runner.engine;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.SyntheticModels.LlamaSpec;
import io.lem.runner.generate.GenerationConfig;
import io.lem.runner.generate.GenerationResult;
import io.lem.runner.generate.Generator;
import io.lem.runner.model.CausalLm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Batch decode on the JVM ({@link BatchDecode}, {@code LlamaBatchDecode}) against the DJL path. */
class BatchDecodeTest {

    static {
        SyntheticModels.singleThreadedUnlessConfigured();
    }

    private static final List<LlamaSpec> SPECS = List.of(LlamaSpec.small(),
            LlamaSpec.small().withHeads(6, 2, 8).withTied(false),
            LlamaSpec.small().withType("mistral", false).withSlidingWindow(4),
            LlamaSpec.small().withHeads(4, 2, 32).withSizes(64, 96, 2, 211),
            LlamaSpec.small().withHeads(5, 5, 6).withSizes(30, 37, 3, 101),
            // heads a whole number of vectors wide: the grouped attention kernel, 3 and 4 query heads per KV head
            LlamaSpec.small().withHeads(6, 2, 16).withSizes(48, 64, 2, 97),
            LlamaSpec.small().withHeads(8, 2, 32).withSizes(80, 72, 2, 97).withTied(false));

    /** Decode logits of batches with mixed prompt lengths (left padding), every step, both paths. */
    @Test
    void batchDecodeLogitsMatchTheDjlPath() {
        // short prompts, and long ones (attention over 64+ columns: the kernels' wide column blocks)
        int[][] batches = {{5, 1}, {5, 1, 9, 3, 9, 2, 7}, {70, 33, 98}};
        for (LlamaSpec spec : SPECS) {
            SyntheticModels.Model m = SyntheticModels.llama(spec);
            try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(),
                    EngineOptions.cpu(FpPrecision.FLOAT32))) {
                for (int[] lens : batches) {
                    int batch = lens.length;
                    long before = BatchDecode.steps();
                    List<float[]> java = decode(model.model(), lens, spec.vocab(), 6, true);
                    assertThat(BatchDecode.steps()).as("JVM batch path taken").isGreaterThan(before);
                    long djlBefore = BatchDecode.steps();
                    List<float[]> djl = decode(model.model(), lens, spec.vocab(), 6, false);
                    assertThat(BatchDecode.steps()).as("DJL path when off").isEqualTo(djlBefore);
                    double worst = 0;
                    int vocab = spec.vocab();
                    for (int step = 0; step < djl.size(); step++) {
                        for (int s = 0; s < batch; s++) {
                            double[] ref = new double[vocab];
                            for (int j = 0; j < vocab; j++) {
                                ref[j] = djl.get(step)[s * vocab + j];
                            }
                            worst = Math.max(worst, LogitsCheck.error(java.get(step), s * vocab, ref));
                        }
                    }
                    System.out.printf("%s batch %d: JVM vs DJL batch-decode logits, max relative difference %.3g%n",
                            spec, batch, worst);
                    assertThat(worst).isLessThan(1e-5);
                }
            }
        }
    }

    /** Greedy generation batched on the JVM path equals one sequence at a time. */
    @Test
    void batchedGreedyEqualsOneByOne() {
        for (LlamaSpec spec : SPECS) {
            SyntheticModels.Model m = SyntheticModels.llama(spec);
            try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(),
                    EngineOptions.cpu(FpPrecision.FLOAT32))) {
                Random r = new Random(5);
                List<int[]> prompts = new ArrayList<>();
                for (int len : new int[] {4, 11, 1, 7, 2, 9}) {
                    prompts.add(LogitsCheck.randomTokens(r, len, spec.vocab()));
                }
                BatchDecode.force(true);
                try {
                    long before = BatchDecode.steps();
                    List<GenerationResult> batched = new Generator(model,
                            GenerationConfig.builder().maxNewTokens(10).batchSize(6).build()).generate(prompts, null);
                    assertThat(BatchDecode.steps()).isGreaterThan(before);
                    List<GenerationResult> single = new Generator(model,
                            GenerationConfig.builder().maxNewTokens(10).batchSize(1).build()).generate(prompts, null);
                    for (int i = 0; i < prompts.size(); i++) {
                        assertThat(batched.get(i).generatedTokens()).as("%s prompt %d", spec, i)
                                .isEqualTo(single.get(i).generatedTokens());
                    }
                } finally {
                    BatchDecode.force(null);
                }
            }
        }
    }

    /** Prefill of left-padded prompts, then {@code steps} decode steps of random tokens. */
    private static List<float[]> decode(CausalLm model, int[] lengths, int vocab, int steps, boolean onJvm) {
        BatchDecode.force(onJvm);
        // the JVM side with its attention split over the pair worker, although tests run one intra-op thread
        JavaMatVec.force(onJvm ? Boolean.TRUE : null);
        int batch = lengths.length;
        int width = Arrays.stream(lengths).max().orElseThrow();
        int[] padding = new int[batch];
        int[] prompt = new int[batch * width];
        Random r = new Random(11);
        for (int s = 0; s < batch; s++) {
            padding[s] = width - lengths[s];
            for (int i = padding[s]; i < width; i++) {
                prompt[s * width + i] = r.nextInt(vocab);
            }
        }
        try (BatchState state = model.newState(padding, width + steps)) {
            List<float[]> out = new ArrayList<>();
            model.forward(state, prompt, width);
            for (int step = 0; step < steps; step++) {
                // the same feed for both paths (a fed-back argmax could differ between them by a rounding tie)
                int[] next = LogitsCheck.randomTokens(r, batch, vocab);
                out.add(model.forward(state, next, 1).clone());
            }
            return out;
        } finally {
            BatchDecode.force(null);
            JavaMatVec.force(null);
        }
    }
}
