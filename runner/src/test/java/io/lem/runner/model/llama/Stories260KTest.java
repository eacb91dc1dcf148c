package io.lem.runner.model.llama;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.SharedModels;
import io.lem.runner.generate.FinishReason;
import io.lem.runner.generate.GenerationConfig;
import io.lem.runner.generate.GenerationResult;
import io.lem.runner.generate.Generator;
import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.tokenizer.LemTokenizer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Karpathy's trained stories260K (a real Llama-2 checkpoint) tells a children's story; skipped without ../shared. */
class Stories260KTest {

    @Test
    void greedyStoryIsCoherentEnglish() throws Exception {
        ModelFiles files = ModelFiles.local(SharedModels.require("stories260K"));
        try (LoadedModel model = SharedModels.load(files, FpPrecision.FLOAT32);
                LemTokenizer tokenizer = LemTokenizer.load(files)) {
            int[] prompt = tokenizer.encode("Once upon a time");
            assertThat(prompt).containsExactly(1, 403, 407, 261, 378);
            GenerationConfig config = GenerationConfig.builder().maxNewTokens(200)
                    .eosTokenIds(Arrays.stream(tokenizer.eosTokenIds()).boxed().toList())
                    .padTokenId(tokenizer.padTokenId()).build();
            GenerationResult r = new Generator(model, config, ids -> tokenizer.decode(ids, true))
                    .generate(List.of(prompt), null).get(0);
            String story = "Once upon a time" + r.text();
            System.out.println("stories260K (" + r.outputTokenCount() + " tokens, " + r.finishReason() + "): " + story);
            assertThat(story).matches("[\\x09\\x0A\\x0D\\x20-\\x7E]+");
            List<String> words = Arrays.stream(story.toLowerCase(Locale.ROOT).split("[^a-z]+")).toList();
            List<String> common = List.of("the", "was", "she", "he", "they", "little", "day", "happy", "play",
                    "friend", "said", "big", "girl", "boy", "named", "her", "his", "and", "to");
            assertThat(common.stream().filter(words::contains).collect(Collectors.toList())).hasSizeGreaterThan(5);
            assertThat(r.outputTokenCount()).isGreaterThan(20);
        }
    }

    @Test
    void batchedGenerationMatchesSingleAndFloat16AgreesMostly() throws Exception {
        ModelFiles files = ModelFiles.local(SharedModels.require("stories260K"));
        try (LoadedModel model = SharedModels.load(files, FpPrecision.FLOAT32);
                LoadedModel half = SharedModels.load(files, FpPrecision.FLOAT16);
                LemTokenizer tokenizer = LemTokenizer.load(files)) {
            List<int[]> prompts = List.of(tokenizer.encode("Once upon a time"), tokenizer.encode("Lily"),
                    tokenizer.encode("The dog was very happy because"), tokenizer.encode("Tom and his mom went"));
            GenerationConfig single = GenerationConfig.builder().maxNewTokens(40).eosTokenId(2).build();
            List<GenerationResult> one = new Generator(model, single).generate(prompts, null);
            List<GenerationResult> batch = new Generator(model, single.toBuilder().batchSize(4).build())
                    .generate(prompts, null);
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(batch.get(i).generatedTokens()).isEqualTo(one.get(i).generatedTokens());
            }
            List<GenerationResult> f16 = new Generator(half, single.toBuilder().batchSize(4).build())
                    .generate(prompts, null);
            // float16 may flip a near-tie late in a story; the first tokens agree
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(Arrays.copyOf(f16.get(i).generatedTokens(), 5))
                        .isEqualTo(Arrays.copyOf(one.get(i).generatedTokens(), 5));
                assertThat(f16.get(i).finishReason()).isIn(FinishReason.EOS, FinishReason.LENGTH);
            }
        }
    }
}
