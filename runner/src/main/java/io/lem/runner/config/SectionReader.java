package io.lem.runner.config;

import java.math.BigInteger;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Typed reads of one mapping of the config (the top level, or a section such as {@code decoder_config}), recording
 * a {@link ConfigProblem} for each bad value instead of stopping, so that all problems of a file are reported at
 * once.
 *
 * <p>Each read returns the fallback when the key is absent or explicitly null, and null when the value is invalid.
 * Every key asked for becomes a known key; {@link #reportUnknownKeys()} then flags everything else.
 */
final class SectionReader {

    private final ConfigNode.Mapping node; // null when the section is absent or is not a mapping
    private final String path;             // dotted path of this section, "" at the top level
    private final SourceLocation location; // where "is required" is reported
    private final List<ConfigProblem> problems;
    private final Set<String> knownKeys = new LinkedHashSet<>();
    private final List<SectionReader> children = new ArrayList<>();

    private SectionReader(ConfigNode.Mapping node, String path, SourceLocation location,
                          List<ConfigProblem> problems) {
        this.node = node;
        this.path = path;
        this.location = location;
        this.problems = problems;
    }

    static SectionReader top(ConfigNode.Mapping root, List<ConfigProblem> problems) {
        return new SectionReader(root, "", root.location(), problems);
    }

    // ---- presence and locations

    /** Whether this section is written as a mapping (absent sections read as empty). */
    boolean isPresent() {
        return node != null;
    }

    /** Whether the key is set to something other than null. */
    boolean has(String key) {
        return value(key) != null;
    }

    SourceLocation locationOf(String key) {
        ConfigNode.Entry entry = node == null ? null : node.entries().get(key);
        return entry == null ? location : entry.value().location();
    }

    String field(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    void problem(String key, String message) {
        problems.add(ConfigProblem.at(locationOf(key), field(key), message));
    }

    // ---- typed reads

    String requiredString(String key, String whatItIs) {
        if (!has(key)) {
            problem(key, "is required: " + whatItIs);
            return null;
        }
        return string(key, null);
    }

    /** Any scalar, as written; so {@code revision: 0123} and {@code carbon_region: NO} stay strings. */
    String string(String key, String fallback) {
        ConfigNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof ConfigNode.Scalar scalar)) {
            problem(key, "must be a string, was " + value.describe());
            return null;
        }
        if (scalar.text().isBlank()) {
            problem(key, "must not be empty; leave the key out (or set it to null) for the default");
            return null;
        }
        return scalar.text();
    }

    Boolean bool(String key, Boolean fallback) {
        ConfigNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (value instanceof ConfigNode.Scalar scalar && scalar.value() instanceof Boolean flag) {
            return flag;
        }
        problem(key, "must be true or false, was " + value.describe());
        return null;
    }

    Integer integer(String key, IntRange range, Integer fallback) {
        ConfigNode value = value(key);
        return value == null ? fallback : toInt(value, field(key), range);
    }

    Double number(String key, DoubleRange range, Double fallback) {
        ConfigNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof ConfigNode.Scalar scalar) || !(scalar.value() instanceof Number number)) {
            problem(key, "must be a number " + range.describe() + ", was " + value.describe());
            return null;
        }
        if (!range.contains(number.doubleValue())) {
            problem(key, "must be " + range.describe() + ", was " + scalar.text());
            return null;
        }
        return number.doubleValue();
    }

    <E extends Enum<E> & YamlEnum> E choice(String key, E[] allowed, E fallback) {
        ConfigNode value = value(key);
        if (value == null) {
            return fallback;
        }
        List<String> names = Arrays.stream(allowed).map(YamlEnum::yamlName).collect(Collectors.toList());
        String message = "must be one of " + String.join(", ", names) + "; was " + value.describe();
        if (value instanceof ConfigNode.Scalar scalar) {
            int index = names.indexOf(scalar.text());
            if (index >= 0) {
                return allowed[index];
            }
            message += KeySuggestions.nearest(scalar.text(), names).map(near -> ", did you mean '" + near + "'?")
                    .orElse("");
        }
        problem(key, message);
        return null;
    }

    /** A path relative to the file that wrote it (a parent's path stays relative to the parent), made absolute. */
    Path path(String key) {
        String text = string(key, null);
        if (text == null) {
            return null;
        }
        Path declaringFile = locationOf(key).file().toAbsolutePath();
        try {
            return declaringFile.resolveSibling(text).normalize();
        } catch (InvalidPathException e) {
            problem(key, "is not a valid path: " + e.getReason());
            return null;
        }
    }

    /** A list of integers in {@code range}; empty when absent. With {@code distinct}, repeats are problems. */
    List<Integer> integerList(String key, IntRange range, boolean distinct) {
        List<ConfigNode> items = items(key, "a list of integers, e.g. [0, 1]");
        if (items == null) {
            return null;
        }
        List<Integer> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            ConfigNode item = items.get(i);
            Integer n = toInt(item, field(key) + "[" + i + "]", range);
            if (n != null && distinct && out.contains(n)) {
                problems.add(ConfigProblem.at(item.location(), field(key) + "[" + i + "]",
                        "duplicate value " + n + "; each value may appear once"));
                n = null;
            }
            ok &= n != null;
            out.add(n);
        }
        return ok ? List.copyOf(out) : null;
    }

    /** A list of non-empty strings; empty when absent. With {@code distinct}, repeats are problems. */
    List<String> stringList(String key, boolean distinct) {
        List<ConfigNode> items = items(key, "a list of names, e.g. [nvml, rapl]");
        if (items == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < items.size(); i++) {
            ConfigNode item = items.get(i);
            String itemField = field(key) + "[" + i + "]";
            if (!(item instanceof ConfigNode.Scalar scalar) || scalar.isNull() || scalar.text().isBlank()) {
                problems.add(ConfigProblem.at(item.location(), itemField,
                        "must be a non-empty name, was " + item.describe()));
                ok = false;
            } else if (distinct && out.contains(scalar.text())) {
                problems.add(ConfigProblem.at(item.location(), itemField,
                        "duplicate value '" + scalar.text() + "'; each value may appear once"));
                ok = false;
            } else {
                out.add(scalar.text());
            }
        }
        return ok ? List.copyOf(out) : null;
    }

    /** A free-form mapping of names to scalar values (kept as written); empty when absent. */
    Map<String, String> stringMap(String key) {
        ConfigNode value = value(key);
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof ConfigNode.Mapping mapping)) {
            problem(key, "must be a mapping of names to values, was " + value.describe());
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        boolean ok = true;
        for (Map.Entry<String, ConfigNode.Entry> entry : mapping.entries().entrySet()) {
            ConfigNode item = entry.getValue().value();
            if (item instanceof ConfigNode.Scalar scalar && !scalar.isNull()) {
                out.put(entry.getKey(), scalar.text());
            } else {
                // the value itself is not echoed: these are where passwords live
                problems.add(ConfigProblem.at(item.location(), field(key) + "." + entry.getKey(),
                        "must be a single value (string, number or boolean), was "
                                + (item instanceof ConfigNode.Scalar ? "null" : item.describe())));
                ok = false;
            }
        }
        return ok ? Collections.unmodifiableMap(out) : null;
    }

    /** The nested section under {@code key}; an absent section reads as empty, so its defaults apply. */
    SectionReader section(String key) {
        ConfigNode value = value(key);
        ConfigNode.Mapping mapping = null;
        if (value instanceof ConfigNode.Mapping m) {
            mapping = m;
        } else if (value != null) {
            problem(key, "must be a mapping of keys to values, was " + value.describe());
        }
        SectionReader child = new SectionReader(mapping, field(key), locationOf(key), problems);
        children.add(child);
        return child;
    }

    // ---- unknown keys

    /**
     * Flags every key of this section and its subsections that nothing asked for. Call after all reads. The
     * suggestion is a known key of the same section within a few typos, else the section the key belongs to, else
     * the list of allowed keys.
     */
    void reportUnknownKeys() {
        Map<String, String> homes = new HashMap<>();
        collectHomes(homes);
        reportUnknownKeys(homes);
    }

    private void collectHomes(Map<String, String> homes) {
        knownKeys.forEach(key -> homes.putIfAbsent(key, field(key)));
        children.forEach(child -> child.collectHomes(homes));
    }

    private void reportUnknownKeys(Map<String, String> homes) {
        if (node != null) {
            node.entries().forEach((key, entry) -> {
                if (!knownKeys.contains(key)) {
                    problems.add(ConfigProblem.at(entry.keyLocation(), field(key), unknownKeyMessage(key, homes)));
                }
            });
        }
        children.forEach(child -> child.reportUnknownKeys(homes));
    }

    private String unknownKeyMessage(String key, Map<String, String> homes) {
        Optional<String> near = KeySuggestions.nearest(key, knownKeys);
        if (near.isPresent()) {
            return "unknown key; did you mean '" + near.get() + "'?";
        }
        if (homes.containsKey(key)) {
            return "unknown key here; did you mean '" + homes.get(key) + "'?";
        }
        return "unknown key; allowed keys" + (path.isEmpty() ? "" : " in " + path) + " are: "
                + String.join(", ", knownKeys);
    }

    // ---- helpers

    private ConfigNode value(String key) {
        knownKeys.add(key);
        ConfigNode.Entry entry = node == null ? null : node.entries().get(key);
        if (entry == null || entry.value() instanceof ConfigNode.Scalar scalar && scalar.isNull()) {
            return null; // an explicit null means "not set": it lets a child config undo a parent's value
        }
        return entry.value();
    }

    private List<ConfigNode> items(String key, String expected) {
        ConfigNode value = value(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof ConfigNode.Sequence sequence)) {
            problem(key, "must be " + expected + ", was " + value.describe());
            return null;
        }
        return sequence.items();
    }

    private Integer toInt(ConfigNode value, String field, IntRange range) {
        String expected = range.describe().isEmpty() ? "an integer" : "an integer " + range.describe();
        if (!(value instanceof ConfigNode.Scalar scalar)
                || !(scalar.value() instanceof Integer || scalar.value() instanceof Long
                || scalar.value() instanceof BigInteger)) {
            problems.add(ConfigProblem.at(value.location(), field, "must be " + expected + ", was "
                    + value.describe()));
            return null;
        }
        BigInteger n = new BigInteger(scalar.value().toString());
        if (n.bitLength() > 31) {
            problems.add(ConfigProblem.at(value.location(), field, "must be " + expected
                    + " that fits 32 bits, was " + scalar.text()));
            return null;
        }
        if (!range.contains(n.longValue())) {
            problems.add(ConfigProblem.at(value.location(), field, "must be " + range.describe() + ", was "
                    + scalar.text()));
            return null;
        }
        return n.intValue();
    }
}
