package io.lem.runner.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Loads experiment configs: YAML, or JSON for files named {@code *.json}, with {@code _extends} inheritance.
 *
 * <p>Every problem carries the file and line that supplied the value (a parent's, for an inherited value) and the
 * dotted field path. All problems of a config are collected, not just the first; a file that cannot be read or
 * parsed, or an {@code _extends} that cannot be followed, stops there with one problem.
 */
public final class ConfigLoader {

    private ConfigLoader() {
    }

    /** The resolved config, or a {@link ConfigException} listing every problem. */
    public static ExperimentConfig load(Path file) {
        Outcome outcome = resolve(file);
        if (!outcome.problems().isEmpty()) {
            throw new ConfigException(outcome.problems());
        }
        return outcome.config();
    }

    /** Every problem of the config, ordered by file and line; empty when it is valid. */
    public static List<ConfigProblem> validate(Path file) {
        return resolve(file).problems();
    }

    private record Outcome(ExperimentConfig config, List<ConfigProblem> problems) {
    }

    private static Outcome resolve(Path file) {
        try {
            ConfigNode.Mapping merged = ConfigInheritance.resolve(file);
            List<ConfigProblem> problems = new ArrayList<>();
            ExperimentConfig config = ConfigBinder.bind(merged, file, problems);
            problems.sort(Comparator.comparing((ConfigProblem p) -> p.file().toString())
                    .thenComparingInt(ConfigProblem::line));
            return new Outcome(config, List.copyOf(problems));
        } catch (ConfigException e) {
            return new Outcome(null, e.problems());
        }
    }
}
