package io.lem.runner.config;

import java.nio.file.Path;

/**
 * Where a config value was written: the file, as reached from the path the user gave, and its 1-based line
 * (0 when no line applies, e.g. a file that does not exist).
 */
record SourceLocation(Path file, int line) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line : file.toString();
    }
}
