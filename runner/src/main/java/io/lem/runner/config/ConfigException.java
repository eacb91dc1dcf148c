package io.lem.runner.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config could not be loaded. Unchecked because every caller does the same thing with it: print
 * {@link #problems()} one per line and stop. The message is exactly those lines.
 */
public final class ConfigException extends RuntimeException {

    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::oneLine).collect(Collectors.joining(System.lineSeparator())));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    static ConfigException single(SourceLocation location, String field, String message) {
        return new ConfigException(List.of(ConfigProblem.at(location, field, message)));
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
