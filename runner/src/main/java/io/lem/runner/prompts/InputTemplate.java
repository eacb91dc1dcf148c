package io.lem.runner.prompts;

import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.config.TaskType;

import java.util.Locale;
import java.util.Map;

/**
 * How a prompt becomes the model's input for a {@code task_type}, as the original tool does it:
 * <ul>
 *   <li>T5 ({@code model_type} t5 or mt5): {@code summarisation} prefixes {@code "summarize: "};
 *       {@code translation} prefixes {@code "translate <source_lang> to <target_lang>: "}, where a two-letter code
 *       is written as T5 was trained to read it (en → English, de → German, fr → French, ro → Romanian, and a few
 *       more; any other value is used as written);</li>
 *   <li>every other model (BART, decoder-only) and {@code text_generation}: the prompt as it is.</li>
 * </ul>
 *
 * @param prefix what goes before every prompt (possibly empty)
 */
public record InputTemplate(String prefix) {

    /** No template: prompts go in as they are. */
    public static final InputTemplate NONE = new InputTemplate("");

    private static final Map<String, String> LANGUAGES = Map.ofEntries(Map.entry("en", "English"),
            Map.entry("de", "German"), Map.entry("fr", "French"), Map.entry("ro", "Romanian"),
            Map.entry("es", "Spanish"), Map.entry("it", "Italian"), Map.entry("nl", "Dutch"),
            Map.entry("pt", "Portuguese"));

    /** The template for an experiment running a model of {@code modelType}. */
    public static InputTemplate of(ExperimentConfig config, String modelType) {
        return of(config.taskType(), modelType, config.sourceLang(), config.targetLang());
    }

    public static InputTemplate of(TaskType task, String modelType, String sourceLang, String targetLang) {
        String type = modelType == null ? "" : modelType.toLowerCase(Locale.ROOT);
        if (!type.equals("t5") && !type.equals("mt5")) {
            return NONE;
        }
        switch (task) {
            case SUMMARISATION:
                return new InputTemplate("summarize: ");
            case TRANSLATION:
                if (sourceLang == null || targetLang == null) {
                    throw new IllegalArgumentException("task_type translation needs source_lang and target_lang");
                }
                return new InputTemplate("translate " + language(sourceLang) + " to " + language(targetLang) + ": ");
            default:
                return NONE;
        }
    }

    /** A language as T5's prompts name it: a known two-letter code as its English name, anything else as written. */
    static String language(String value) {
        String name = LANGUAGES.get(value.trim().toLowerCase(Locale.ROOT));
        return name != null ? name : value.trim();
    }

    /** The model input for a prompt. */
    public String apply(String prompt) {
        return prefix + prompt;
    }
}
