package io.lem.runner.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Resolves {@code _extends}: a path, or a list of paths applied in order, each relative to the file naming it.
 * Parents are merged first (later parents over earlier ones), then the file itself on top. Nested mappings merge
 * key by key; anything else, lists included, is replaced by the child. Every value keeps the location of the file
 * that supplied it.
 */
final class ConfigInheritance {

    static final String EXTENDS = "_extends";

    private ConfigInheritance() {
    }

    /** The merged tree of {@code file} and everything it extends, without the {@code _extends} keys. */
    static ConfigNode.Mapping resolve(Path file) {
        return resolve(file, List.of());
    }

    private static ConfigNode.Mapping resolve(Path file, List<Path> chain) {
        ConfigNode.Mapping own = ConfigParser.parse(file);
        List<Path> withThis = new ArrayList<>(chain);
        withThis.add(file);
        ConfigNode.Mapping merged = ConfigNode.Mapping.empty(own.location());
        ConfigNode.Entry extendsEntry = own.entries().get(EXTENDS);
        if (extendsEntry != null) {
            for (ConfigNode.Scalar reference : references(extendsEntry.value())) {
                merged = merge(merged, resolve(parentOf(file, reference, withThis), withThis));
            }
        }
        return merge(merged, own.without(EXTENDS));
    }

    /** The mapping {@code child} laid over {@code parent}: child wins, nested mappings merge, lists are replaced. */
    static ConfigNode.Mapping merge(ConfigNode.Mapping parent, ConfigNode.Mapping child) {
        Map<String, ConfigNode.Entry> out = new LinkedHashMap<>(parent.entries());
        child.entries().forEach((key, entry) -> {
            ConfigNode.Entry inherited = out.get(key);
            if (inherited != null && inherited.value() instanceof ConfigNode.Mapping parentMap
                    && entry.value() instanceof ConfigNode.Mapping childMap) {
                out.put(key, new ConfigNode.Entry(entry.keyLocation(), merge(parentMap, childMap)));
            } else {
                out.put(key, entry);
            }
        });
        return new ConfigNode.Mapping(out, child.location());
    }

    private static List<ConfigNode.Scalar> references(ConfigNode value) {
        List<ConfigNode> items = value instanceof ConfigNode.Sequence list ? list.items() : List.of(value);
        List<ConfigNode.Scalar> references = new ArrayList<>();
        for (ConfigNode item : items) {
            if (!(item instanceof ConfigNode.Scalar scalar) || !(scalar.value() instanceof String)
                    || scalar.text().isBlank()) {
                throw ConfigException.single(item.location(), EXTENDS,
                        "must be a file path or a list of file paths, was " + item.describe());
            }
            references.add(scalar);
        }
        return references;
    }

    private static Path parentOf(Path file, ConfigNode.Scalar reference, List<Path> chain) {
        Path parent;
        try {
            parent = file.resolveSibling(reference.text()).normalize();
        } catch (InvalidPathException e) {
            throw ConfigException.single(reference.location(), EXTENDS, "is not a valid path: " + e.getReason());
        }
        if (!Files.isRegularFile(parent)) {
            throw ConfigException.single(reference.location(), EXTENDS, "file not found: " + parent
                    + " (paths in _extends are relative to the file that names them)");
        }
        for (int i = 0; i < chain.size(); i++) {
            if (sameFile(chain.get(i), parent)) {
                String cycle = chain.subList(i, chain.size()).stream().map(Path::toString)
                        .collect(Collectors.joining(" -> ")) + " -> " + parent;
                throw ConfigException.single(reference.location(), EXTENDS, "cycle: " + cycle);
            }
        }
        return parent;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isSameFile(a, b); // sees through symlinks and different spellings of one path
        } catch (IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }
}
