package io.lem.runner.model.safetensors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens the weights of a HuggingFace model directory. */
public final class WeightStores {

    public static final String SINGLE_FILE = "model.safetensors";

    private WeightStores() {
    }

    /**
     * {@code model.safetensors} when present (as transformers prefers it), else {@code model.safetensors.index.json}
     * and its shards. Anything else (only {@code pytorch_model.bin}, no weights at all) is a one-line error.
     */
    public static SafetensorsStore open(Path modelDir) throws IOException {
        Path single = modelDir.resolve(SINGLE_FILE);
        if (Files.isRegularFile(single)) {
            return SafetensorsFile.open(single);
        }
        Path index = modelDir.resolve(ShardedWeights.INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return ShardedWeights.open(index);
        }
        if (!Files.isDirectory(modelDir)) {
            throw new NoSuchFileException(modelDir.toString(), null, "no such model directory");
        }
        String hint = Files.exists(modelDir.resolve("pytorch_model.bin"))
                || Files.exists(modelDir.resolve("pytorch_model.bin.index.json"))
                ? " (it has PyTorch .bin weights, which lem does not read: convert them to safetensors)" : "";
        throw new NoSuchFileException(modelDir.toString(), null,
                "no " + SINGLE_FILE + " or " + ShardedWeights.INDEX_FILE + " in the model directory" + hint);
    }
}
