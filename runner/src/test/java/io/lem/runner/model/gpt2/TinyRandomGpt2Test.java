package io.lem.runner.model.gpt2;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.SharedModels;
import io.lem.runner.generate.GenerationConfig;
import io.lem.runner.generate.GenerationResult;
import io.lem.runner.generate.Generator;
import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.tokenizer.LemTokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** hf-internal-testing/tiny-random-gpt2 loads and generates; skipped without ../shared. */
class TinyRandomGpt2Test {

    @Test
    void loadsAndGenerates() throws Exception {
        ModelFiles files = ModelFiles.local(SharedModels.require("tiny-random-gpt2"));
        try (LoadedModel model = SharedModels.load(files, FpPrecision.FLOAT32);
                LemTokenizer tokenizer = LemTokenizer.load(files)) {
            assertThat(model.info().parameters()).isEqualTo(111_968);
            assertThat(model.info().tiedEmbeddings()).isTrue();
            List<int[]> prompts = List.of(tokenizer.encode("t0 t0 t0 t52"), tokenizer.encode("t7"),
                    tokenizer.encode("t1 t2 t3 t4 t5 t6 t7 t8"));
            assertThat(prompts.get(0)).containsExactly(0, 0, 0, 52);
            GenerationConfig config = GenerationConfig.builder().maxNewTokens(20).batchSize(3).build();
            List<GenerationResult> batched = new Generator(model, config, ids -> tokenizer.decode(ids, true))
                    .generate(prompts, null);
            List<GenerationResult> single = new Generator(model, config.toBuilder().batchSize(1).build())
                    .generate(prompts, null);
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(batched.get(i).generatedTokens()).hasSize(20)
                        .isEqualTo(single.get(i).generatedTokens());
                assertThat(batched.get(i).text()).matches("(t\\d+ ?)+");
            }
            System.out.println("tiny-random-gpt2: " + batched.get(0).text());
        }
    }
}
