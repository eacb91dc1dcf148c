package io.lem.cli.model;

import io.lem.cli.UserError;
import io.lem.runner.model.hub.DownloadListener;
import io.lem.runner.model.hub.HubSettings;
import io.lem.runner.model.hub.ModelResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where {@code lem model inspect} reads config.json: a directory, the file itself, or a hub id, of which only
 * config.json is fetched (through the HF cache, honouring {@code HF_ENDPOINT} and {@code HF_HUB_OFFLINE}).
 *
 * @param config the config.json on disk
 * @param name   how reports name it: the file, or {@code org/name@commit}
 */
record ConfigSource(Path config, String name) {

    static ConfigSource find(String model, String revision) {
        Path path = null;
        try {
            path = Path.of(model);
        } catch (InvalidPathException e) {
            // not a path; perhaps a hub id
        }
        if (path != null && Files.isDirectory(path)) {
            Path config = path.resolve("config.json");
            if (!Files.isRegularFile(config)) {
                throw new UserError("no config.json at " + config);
            }
            return new ConfigSource(config, config.toString());
        }
        if (path != null && Files.isRegularFile(path)) {
            return new ConfigSource(path, path.toString());
        }
        if (model.endsWith(".json") || !ModelResolver.looksLikeHubId(model)) {
            throw new UserError("no config.json at " + model + " (not a directory, a file or a hub id org/name)");
        }
        Path config;
        try {
            config = new ModelResolver(HubSettings.fromSystemEnvironment(), DownloadListener.silent())
                    .resolveConfig(model, revision);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError(model + ": " + e.getMessage());
        }
        // the snapshot directory is named by the commit
        return new ConfigSource(config, model + "@" + config.getParent().getFileName());
    }
}
