package io.lem.runner.model;

import io.lem.runner.model.hub.HubSettings;
import io.lem.runner.model.hub.ModelResolver;
import io.lem.runner.model.synth.SyntheticModels;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a config's {@code model_name} into files on disk: {@code lem-synthetic/<name>} is generated into
 * {@code <lem home>/models}; anything else is a local directory or a hub id resolved through the shared HF cache.
 */
public final class ModelLocator {

    private ModelLocator() {
    }

    public static ModelFiles locate(String modelName, String revision, HubSettings hub, Path lemHome)
            throws IOException {
        if (SyntheticModels.isSynthetic(modelName)) {
            return ModelFiles.local(SyntheticModels.ensure(modelName, lemHome.resolve("models")));
        }
        return ModelResolver.resolve(modelName, revision, hub);
    }
}
