package io.lem.runner.prompts;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The two prompt file formats and how a file's format is chosen.
 *
 * <ul>
 *   <li>{@link #TEXT}: one prompt per line; blank (whitespace-only) lines are skipped, every other line is a prompt
 *       exactly as written (a UTF-8 byte-order mark at the start of the file is dropped). A prompt cannot span
 *       lines.</li>
 *   <li>{@link #JSONL}: one JSON object per line holding the prompt as the string field {@code prompt}, e.g.
 *       {@code {"prompt": "Translate into French:\nGood morning"}}; other fields are ignored, blank lines skipped.
 *       A line that is not such an object fails the whole file with {@code file:line: reason}.</li>
 * </ul>
 *
 * <p>The format follows the file name first: {@code .jsonl} or {@code .ndjson} is JSONL, {@code .txt} is text.
 * Any other name is decided by content: JSONL when the first non-blank line is a JSON object with a
 * {@code prompt} field, otherwise text.
 */
public enum PromptFormat {
    TEXT,
    JSONL;

    /** The format of {@code file} given its lines; see the class comment. */
    public static PromptFormat detect(Path file, List<String> lines) {
        Path name = file.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) {
            return JSONL;
        }
        if (lower.endsWith(".txt")) {
            return TEXT;
        }
        for (String line : lines) {
            String candidate = PromptFiles.withoutBom(line).strip();
            if (candidate.isEmpty()) {
                continue;
            }
            if (!candidate.startsWith("{")) {
                return TEXT;
            }
            try {
                JsonNode node = PromptFiles.JSON.readTree(candidate);
                return node != null && node.isObject() && node.has(PromptFiles.PROMPT_FIELD) ? JSONL : TEXT;
            } catch (java.io.IOException e) {
                return TEXT;
            }
        }
        return TEXT;
    }
}
