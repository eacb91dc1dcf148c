package io.lem.runner.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One thing wrong with a config, located at the file and line that supplied the offending value.
 *
 * @param file    the file, as reached from the path that was loaded (a parent's path when the value was inherited)
 * @param line    1-based line, or 0 when no line applies (e.g. the file does not exist)
 * @param field   dotted field path such as {@code decoder_config.top_p} or {@code gpu_list[1]}; empty for
 *                problems with the file as a whole (malformed YAML)
 * @param message what is wrong and what is allowed, one line
 */
public record ConfigProblem(Path file, int line, String field, String message) {

    public ConfigProblem {
        Objects.requireNonNull(file, "file");
        field = field == null ? "" : field;
        message = message.replaceAll("\\s*\\R\\s*", " ").strip(); // one problem, one line
    }

    static ConfigProblem at(SourceLocation location, String field, String message) {
        return new ConfigProblem(location.file(), location.line(), field, message);
    }

    /** {@code file:line: field: message}, leaving out the line or field when there is none. */
    public String oneLine() {
        StringBuilder out = new StringBuilder(file.toString());
        if (line > 0) {
            out.append(':').append(line);
        }
        out.append(": ");
        if (!field.isEmpty()) {
            out.append(field).append(": ");
        }
        return out.append(message).toString();
    }

    @Override
    public String toString() {
        return oneLine();
    }
}
