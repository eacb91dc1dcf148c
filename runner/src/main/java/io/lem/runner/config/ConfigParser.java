package io.lem.runner.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one YAML or JSON file into a {@link ConfigNode} tree with a line on every value. Jackson's streaming parser
 * is used rather than data binding because data binding forgets where values came from.
 */
final class ConfigParser {

    private static final JsonFactory JSON = new JsonFactory();
    private static final YAMLFactory YAML = new YAMLFactory();

    private ConfigParser() {
    }

    /** The file's top-level mapping; an empty file is an empty mapping. Throws {@link ConfigException} if unreadable. */
    static ConfigNode.Mapping parse(Path file) {
        boolean json = isJson(file);
        try (InputStream in = Files.newInputStream(file);
             JsonParser parser = (json ? JSON : YAML).createParser(in)) {
            if (parser.nextToken() == null) {
                return ConfigNode.Mapping.empty(new SourceLocation(file, 1));
            }
            ConfigNode root = read(parser, file, "");
            if (parser.nextToken() != null) {
                throw ConfigException.single(here(parser, file), "",
                        "a config file holds one document; found a second one here");
            }
            if (root instanceof ConfigNode.Scalar scalar && scalar.isNull()) {
                return ConfigNode.Mapping.empty(root.location());
            }
            if (!(root instanceof ConfigNode.Mapping mapping)) {
                throw ConfigException.single(root.location(), "",
                        "the top level must be a mapping of keys to values, was " + root.describe());
            }
            return mapping;
        } catch (NoSuchFileException e) {
            throw ConfigException.single(new SourceLocation(file, 0), "",
                    "file not found (looked for " + file.toAbsolutePath().normalize() + ")");
        } catch (JsonProcessingException e) {
            throw malformed(file, json, e);
        } catch (IOException e) {
            throw ConfigException.single(new SourceLocation(file, 0), "", "cannot read the file: " + e);
        }
    }

    static boolean isJson(Path file) {
        Path name = file.getFileName();
        return name != null && name.toString().toLowerCase(Locale.ROOT).endsWith(".json");
    }

    private static ConfigNode read(JsonParser parser, Path file, String field) throws IOException {
        SourceLocation at = here(parser, file);
        JsonToken token = parser.currentToken();
        switch (token) {
            case START_OBJECT:
                return readMapping(parser, file, field, at);
            case START_ARRAY:
                List<ConfigNode> items = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    items.add(read(parser, file, field + "[" + items.size() + "]"));
                }
                return new ConfigNode.Sequence(items, at);
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new ConfigNode.Scalar(numberOrText(parser), parser.getText(), at);
            case VALUE_TRUE:
            case VALUE_FALSE:
                return new ConfigNode.Scalar(token == JsonToken.VALUE_TRUE, parser.getText(), at);
            case VALUE_NULL:
                return new ConfigNode.Scalar(null, parser.getText(), at);
            default: // strings, and YAML oddities such as !!binary, are kept as their text
                return new ConfigNode.Scalar(parser.getText(), parser.getText(), at);
        }
    }

    /** YAML's .inf and .nan are tokens Jackson flags as numbers but cannot convert; they stay text. */
    private static Object numberOrText(JsonParser parser) throws IOException {
        try {
            return parser.getNumberValue();
        } catch (StreamReadException e) {
            return parser.getText();
        }
    }

    private static ConfigNode.Mapping readMapping(JsonParser parser, Path file, String field, SourceLocation at)
            throws IOException {
        Map<String, ConfigNode.Entry> entries = new LinkedHashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            SourceLocation keyAt = here(parser, file);
            String keyField = field.isEmpty() ? key : field + "." + key;
            parser.nextToken();
            ConfigNode.Entry previous = entries.put(key, new ConfigNode.Entry(keyAt, read(parser, file, keyField)));
            if (previous != null) {
                // YAML and JSON both leave duplicates undefined; silently taking one would hide a mistake
                throw ConfigException.single(keyAt, keyField,
                        "duplicate key; it is already set on line " + previous.keyLocation().line());
            }
        }
        return new ConfigNode.Mapping(entries, at);
    }

    private static SourceLocation here(JsonParser parser, Path file) {
        return new SourceLocation(file, parser.currentTokenLocation().getLineNr());
    }

    private static ConfigException malformed(Path file, boolean json, JsonProcessingException e) {
        int line = e.getLocation() == null ? 0 : Math.max(e.getLocation().getLineNr(), 0);
        String detail = firstLine(e.getOriginalMessage());
        if (e.getCause() instanceof MarkedYAMLException yaml) {
            // SnakeYAML's own message spans several lines with a source excerpt; keep its short parts
            detail = yaml.getProblem();
            Mark problemMark = yaml.getProblemMark();
            if (problemMark != null) {
                line = problemMark.getLine() + 1;
            }
            Mark contextMark = yaml.getContextMark();
            if (yaml.getContext() != null && contextMark != null) {
                detail += " (" + yaml.getContext() + " that starts on line " + (contextMark.getLine() + 1) + ")";
            }
        }
        return ConfigException.single(new SourceLocation(file, line), "",
                (json ? "malformed JSON: " : "malformed YAML: ") + detail);
    }

    private static String firstLine(String message) {
        if (message == null || message.isBlank()) {
            return "cannot parse";
        }
        return message.strip().lines().findFirst().orElse(message);
    }
}
