package io.lem.runner.generate;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.SharedModels;
import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.synth.ModelSynth;
import io.lem.runner.model.synth.SynthSpec;
import io.lem.runner.model.tokenizer.LemTokenizer;
import io.lem.runner.model.weights.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end on model directories written by {@link ModelSynth} (safetensors, config.json, tokenizer), including
 * BF16- and F16-stored checkpoints: the weight store converts them to float32, the engine never sees bfloat16.
 */
class SynthModelGenerationTest {

    @TempDir
    Path dir;

    @Test
    void everySynthesizedArchitectureLoadsAndGenerates() throws Exception {
        List<SynthSpec> specs = List.of(SynthSpec.defaults(SynthSpec.LLAMA),
                SynthSpec.defaults(SynthSpec.LLAMA).withDtype(DType.BF16),
                new SynthSpec(SynthSpec.LLAMA, 48, 2, 6, 2, 80, 320, 128, true, true, DType.F16, 3),
                SynthSpec.defaults(SynthSpec.GPT2), SynthSpec.defaults(SynthSpec.T5),
                new SynthSpec(SynthSpec.T5, 40, 2, 5, 5, 72, 300, 64, true, false, DType.BF16, 4),
                SynthSpec.defaults(SynthSpec.BART));
        int n = 0;
        for (SynthSpec spec : specs) {
            Path out = ModelSynth.write(spec, dir.resolve("m" + n++));
            ModelFiles files = ModelFiles.local(out);
            for (FpPrecision precision : List.of(FpPrecision.FLOAT32, FpPrecision.FLOAT16)) {
                try (LoadedModel model = SharedModels.load(files, precision);
                        LemTokenizer tokenizer = LemTokenizer.load(files)) {
                    assertThat(model.info().modelType()).isEqualTo(spec.modelType());
                    assertThat(model.info().parameters()).isEqualTo(spec.parameterCount());
                    List<int[]> prompts = List.of(tokenizer.encode("hello world"), tokenizer.encode("a"));
                    GenerationConfig config = GenerationConfig.builder().maxNewTokens(6).batchSize(2)
                            .eosTokenIds(Arrays.stream(tokenizer.eosTokenIds()).boxed().toList())
                            .padTokenId(tokenizer.padTokenId()).build();
                    List<GenerationResult> r = new Generator(model, config, ids -> tokenizer.decode(ids, true))
                            .generate(prompts, null);
                    assertThat(r).hasSize(2);
                    assertThat(r.get(0).outputTokenCount()).isBetween(1, 6);
                    assertThat(r.get(0).text()).isNotNull();
                    assertThat(model.isEncoderDecoder()).isEqualTo(spec.encoderDecoder());
                    if (spec.encoderDecoder()) {
                        // t5 ends inputs with </s> (1), bart wraps them in <s> (0) ... </s> (2); pad and decoder
                        // start agree with the config
                        int[] hello = tokenizer.encode("hello");
                        boolean t5 = spec.arch().equals(SynthSpec.T5);
                        assertThat(hello[hello.length - 1]).isEqualTo(t5 ? 1 : 2);
                        assertThat(hello[0]).isEqualTo(t5 ? hello[0] : 0);
                        assertThat(tokenizer.eosTokenIds()).containsExactly(t5 ? 1 : 2);
                        assertThat(tokenizer.padTokenId()).isEqualTo(t5 ? 0 : 1);
                        assertThat(model.seq2seq().decoderStartTokenId()).isEqualTo(t5 ? 0 : 2);
                        assertThat(model.seq2seq().forcedBosTokenId()).isEqualTo(t5 ? -1 : 0);
                        assertThat(tokenizer.decode(hello, true)).isEqualTo("hello");
                    }
                }
            }
        }
    }
}
