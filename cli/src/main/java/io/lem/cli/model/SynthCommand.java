package io.lem.cli.model;

import io.lem.cli.ExitCodes;
import io.lem.cli.UserError;
import io.lem.runner.model.synth.ModelSynth;
import io.lem.runner.model.synth.SynthSpec;
import io.lem.runner.model.weights.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lem model synth}: a valid HF model directory with deterministic random weights. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a HuggingFace model directory (config.json, generation_config.json, model.safetensors,",
                "a byte-level tokenizer.json) with deterministic random weights. Unset sizes take the arch's tiny",
                "defaults, or those of --preset smollm2-135m."})
public final class SynthCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--arch", paramLabel = "llama|gpt2|t5|bart", defaultValue = "llama",
            description = "Default: ${DEFAULT-VALUE}. t5 and bart are encoder-decoders with --layers encoder and "
                    + "--layers decoder blocks; t5 is flan-t5 style (gated-GELU, separate head) unless --tied (t5 "
                    + "v1.0 style: ReLU, tied head).")
    String arch;

    @Option(names = "--preset", paramLabel = "NAME", description = "smollm2-135m: SmolLM2-135M's dimensions.")
    String preset;

    @Option(names = "--hidden", paramLabel = "N") Integer hidden;
    @Option(names = "--layers", paramLabel = "N") Integer layers;
    @Option(names = "--heads", paramLabel = "N") Integer heads;
    @Option(names = "--kv-heads", paramLabel = "N") Integer kvHeads;
    @Option(names = "--intermediate", paramLabel = "N") Integer intermediate;
    @Option(names = "--vocab", paramLabel = "N") Integer vocab;
    @Option(names = "--max-positions", paramLabel = "N") Integer maxPositions;
    @Option(names = "--tied", negatable = true, description = "Tie the LM head to the embeddings.") Boolean tied;
    @Option(names = "--qkv-bias", description = "q/k/v biases (llama arch: written as a qwen2 model).") boolean qkvBias;

    @Option(names = "--dtype", paramLabel = "F32|F16|BF16", defaultValue = "F32", description = "Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "New or empty directory.")
    Path out;

    @Override
    public Integer call() throws IOException {
        SynthSpec base;
        if (preset != null) {
            if (!preset.equals("smollm2-135m")) {
                throw new UserError("--preset must be smollm2-135m, was '" + preset + "'");
            }
            base = SynthSpec.smollm2_135m();
        } else if (SynthSpec.ARCHES.contains(arch)) {
            base = SynthSpec.defaults(arch);
        } else {
            throw new UserError("--arch must be one of " + String.join(", ", SynthSpec.ARCHES) + ", was '" + arch
                    + "'");
        }
        DType type;
        try {
            type = DType.valueOf(dtype.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new UserError("--dtype must be F32, F16 or BF16, was '" + dtype + "'");
        }
        SynthSpec model;
        try {
            model = new SynthSpec(base.arch(), or(hidden, base.hidden()), or(layers, base.layers()),
                    or(heads, base.heads()), or(kvHeads, base.kvHeads()), or(intermediate, base.intermediate()),
                    or(vocab, base.vocab()), or(maxPositions, base.maxPositions()),
                    tied != null ? tied : base.tiedEmbeddings(), qkvBias || base.qkvBias(), type, seed);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        try {
            ModelSynth.write(model, out);
        } catch (IOException e) {
            throw new UserError("--out " + out + ": " + e.getMessage());
        }
        spec.commandLine().getOut().printf("wrote %s model (%,d parameters, %s) to %s%n", model.modelType(),
                model.parameterCount(), type, out);
        return ExitCodes.OK;
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }
}
