package io.lem.runner.model.synth;

import io.lem.runner.model.weights.DType;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Models named {@code lem-synthetic/<name>}: generated on first use (deterministic weights, byte-level tokenizer) into
 * a models directory, so the quickstart and tests run offline on a fresh machine. Several processes may ask at once:
 * each writes into its own temporary directory and the first to rename it into place wins.
 */
public final class SyntheticModels {

    public static final String PREFIX = "lem-synthetic/";

    private static final Map<String, SynthSpec> KNOWN = known();

    private SyntheticModels() {
    }

    private static Map<String, SynthSpec> known() {
        Map<String, SynthSpec> specs = new LinkedHashMap<>();
        specs.put("tiny-llama", SynthSpec.defaults(SynthSpec.LLAMA));
        specs.put("tiny-gpt2", SynthSpec.defaults(SynthSpec.GPT2));
        specs.put("tiny-t5", SynthSpec.defaults(SynthSpec.T5));
        specs.put("tiny-bart", SynthSpec.defaults(SynthSpec.BART));
        specs.put("smollm2-135m", SynthSpec.smollm2_135m().withDtype(DType.F32));
        return specs;
    }

    public static boolean isSynthetic(String modelName) {
        return modelName != null && modelName.startsWith(PREFIX);
    }

    /** The spec behind a synthetic name, empty when the name is not one of them. */
    public static Optional<SynthSpec> spec(String modelName) {
        return isSynthetic(modelName) ? Optional.ofNullable(KNOWN.get(modelName.substring(PREFIX.length())))
                : Optional.empty();
    }

    /** Names lem can synthesize. */
    public static java.util.List<String> names() {
        return KNOWN.keySet().stream().map(n -> PREFIX + n).toList();
    }

    /**
     * The directory of the synthetic model, written under {@code modelsDir} if it is not there yet.
     *
     * @throws IllegalArgumentException for an unknown synthetic name, listing the known ones
     */
    public static Path ensure(String modelName, Path modelsDir) throws IOException {
        SynthSpec spec = spec(modelName).orElseThrow(() -> new IllegalArgumentException("unknown synthetic model '"
                + modelName + "'; known: " + String.join(", ", names())));
        Path target = modelsDir.resolve(modelName);
        if (Files.isRegularFile(target.resolve("model.safetensors"))) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path scratch = Files.createTempDirectory(target.getParent(), ".synth-");
        try {
            ModelSynth.write(spec, scratch.resolve("model"));
            try {
                Files.move(scratch.resolve("model"), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(scratch.resolve("model"), target);
            } catch (IOException raced) {
                // Another process renamed its identical model into place first ("directory not empty"): keep it.
                if (!Files.isRegularFile(target.resolve("model.safetensors"))) {
                    throw raced;
                }
            }
        } finally {
            deleteTree(scratch);
        }
        return target;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
