package io.lem.runner.prompts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;

/** Parses the lines of a prompt file in either {@link PromptFormat}. */
final class PromptFiles {

    static final String PROMPT_FIELD = "prompt";
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final char BOM = '\uFEFF';

    private PromptFiles() {
    }

    static String withoutBom(String line) {
        return !line.isEmpty() && line.charAt(0) == BOM ? line.substring(1) : line;
    }

    /**
     * The prompts of a file's lines.
     *
     * @param where how messages name the file (its path, or {@code builtin:<name>})
     */
    static List<String> parse(String where, List<String> lines, PromptFormat format) {
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = i == 0 ? withoutBom(lines.get(i)) : lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            prompts.add(format == PromptFormat.JSONL ? jsonPrompt(where, i + 1, line) : line);
        }
        return prompts;
    }

    private static String jsonPrompt(String where, int lineNumber, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new PromptException(where + ":" + lineNumber + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new PromptException(where + ":" + lineNumber + ": expected a JSON object with a string \""
                    + PROMPT_FIELD + "\" field, got " + kind(node));
        }
        JsonNode prompt = node.get(PROMPT_FIELD);
        if (prompt == null) {
            throw new PromptException(where + ":" + lineNumber + ": no \"" + PROMPT_FIELD + "\" field (each line is "
                    + "an object such as {\"prompt\": \"...\"})");
        }
        if (!prompt.isTextual()) {
            throw new PromptException(where + ":" + lineNumber + ": \"" + PROMPT_FIELD + "\" must be a string, got "
                    + kind(prompt));
        }
        if (prompt.textValue().isBlank()) {
            throw new PromptException(where + ":" + lineNumber + ": \"" + PROMPT_FIELD + "\" is blank");
        }
        return prompt.textValue();
    }

    private static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        switch (node.getNodeType()) {
            case ARRAY:
                return "an array";
            case OBJECT:
                return "an object";
            case STRING:
                return "a string";
            case NUMBER:
                return "a number";
            case BOOLEAN:
                return "a boolean";
            case NULL:
                return "null";
            default:
                return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
