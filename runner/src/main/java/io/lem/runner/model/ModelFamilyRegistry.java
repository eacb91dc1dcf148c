package io.lem.runner.model;

import io.lem.runner.engine.EngineException;
import io.lem.runner.model.bart.BartFamily;
import io.lem.runner.model.gpt2.Gpt2Family;
import io.lem.runner.model.llama.LlamaFamily;
import io.lem.runner.model.t5.T5Family;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/** The families the engine knows, looked up by {@code model_type}. */
public final class ModelFamilyRegistry {

    private static final List<ModelFamily> FAMILIES = List.of(new LlamaFamily(), new Gpt2Family(), new T5Family(),
            new BartFamily());

    private ModelFamilyRegistry() {
    }

    public static List<ModelFamily> families() {
        return FAMILIES;
    }

    /** Every supported {@code model_type}, sorted. */
    public static List<String> supportedModelTypes() {
        TreeSet<String> types = new TreeSet<>();
        FAMILIES.forEach(f -> types.addAll(f.modelTypes()));
        return List.copyOf(types);
    }

    /** The family running {@code modelType}; an {@link EngineException} listing the supported types otherwise. */
    public static ModelFamily forModelType(String modelType) {
        if (modelType == null || modelType.isBlank()) {
            throw new EngineException("config.json has no 'model_type'; supported model types: "
                    + String.join(", ", supportedModelTypes()));
        }
        String wanted = modelType.toLowerCase(Locale.ROOT);
        for (ModelFamily family : FAMILIES) {
            if (family.modelTypes().contains(wanted)) {
                return family;
            }
        }
        throw new EngineException("unsupported model_type '" + modelType + "'; supported model types: "
                + String.join(", ", supportedModelTypes()));
    }
}
