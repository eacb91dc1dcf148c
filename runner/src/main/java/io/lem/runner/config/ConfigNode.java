package io.lem.runner.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed config value that remembers where it was written, so that problems found after {@code _extends} merging
 * still point at the file and line that supplied the value.
 */
sealed interface ConfigNode permits ConfigNode.Mapping, ConfigNode.Sequence, ConfigNode.Scalar {

    SourceLocation location();

    /** How the value reads in a message: "a mapping", "a list", or the scalar as written ('text' quoted). */
    String describe();

    /** One key of a mapping; the key's own line is where "unknown key" is reported. */
    record Entry(SourceLocation keyLocation, ConfigNode value) {
    }

    record Mapping(Map<String, Entry> entries, SourceLocation location) implements ConfigNode {
        public Mapping {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries)); // keeps the order the file used
        }

        static Mapping empty(SourceLocation location) {
            return new Mapping(Map.of(), location);
        }

        Mapping without(String key) {
            Map<String, Entry> copy = new LinkedHashMap<>(entries);
            copy.remove(key);
            return new Mapping(copy, location);
        }

        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Sequence(List<ConfigNode> items, SourceLocation location) implements ConfigNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /**
     * A scalar: {@code value} is a String, Boolean, Number, or null for an explicit null; {@code text} is the value
     * as written, so that string fields keep e.g. {@code NO} or {@code 0123} exactly (YAML would read a boolean or
     * a number).
     */
    record Scalar(Object value, String text, SourceLocation location) implements ConfigNode {
        boolean isNull() {
            return value == null;
        }

        @Override
        public String describe() {
            return value instanceof String ? "'" + text + "'" : value == null ? "null" : text;
        }
    }
}
