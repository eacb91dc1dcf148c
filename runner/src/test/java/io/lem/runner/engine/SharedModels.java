package io.lem.runner.engine;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.safetensors.WeightStores;
import io.lem.runner.model.weights.WeightStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The real models under {@code ../shared/models}; tests using them skip when the directory is absent. */
public final class SharedModels {

    private SharedModels() {
    }

    /** The model directory, or a skipped test. */
    public static Path require(String name) {
        Path dir = Path.of(System.getProperty("lem.shared.dir", "../shared"), "models", name);
        assumeTrue(Files.isRegularFile(dir.resolve("config.json")), "no shared model " + dir);
        return dir;
    }

    /** Loads a model directory's weights into the engine. */
    public static LoadedModel load(ModelFiles files, FpPrecision precision) throws IOException {
        SyntheticModels.singleThreadedUnlessConfigured();
        try (WeightStore weights = WeightStores.open(files.directory())) {
            return InferenceEngine.load(files.engineConfig(), weights, EngineOptions.cpu(precision));
        }
    }
}
