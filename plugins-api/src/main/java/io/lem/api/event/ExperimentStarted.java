package io.lem.api.event;

import java.util.Map;

/**
 * The launcher started an experiment.
 *
 * @param configName     {@code config_name} of the experiment config
 * @param modelName      {@code model_name}: hub id or local path
 * @param modelRevision  hub revision (branch, tag or commit), null for local models
 * @param numProcesses   number of runner processes expected
 * @param config         the resolved config with secrets redacted, as a JSON object
 * @param lemVersion     version of lem that launched it
 */
public record ExperimentStarted(Envelope envelope, String configName, String modelName, String modelRevision,
                                int numProcesses, Map<String, Object> config, String lemVersion) implements LemEvent {
    public ExperimentStarted {
        config = config == null ? Map.of() : config;
    }
}
