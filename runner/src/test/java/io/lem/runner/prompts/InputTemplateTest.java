package io.lem.runner.prompts;

import io.lem.runner.config.TaskType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InputTemplateTest {

    @Test
    void t5GetsItsTaskPrefixesOthersTheInputAsItIs() {
        assertThat(InputTemplate.of(TaskType.SUMMARISATION, "t5", null, null).apply("A long text."))
                .isEqualTo("summarize: A long text.");
        assertThat(InputTemplate.of(TaskType.TRANSLATION, "t5", "en", "de").apply("Good morning."))
                .isEqualTo("translate English to German: Good morning.");
        assertThat(InputTemplate.of(TaskType.TRANSLATION, "mt5", "English", "Welsh").apply("Hi"))
                .isEqualTo("translate English to Welsh: Hi");
        assertThat(InputTemplate.of(TaskType.TEXT_GENERATION, "t5", null, null).apply("x")).isEqualTo("x");
        assertThat(InputTemplate.of(TaskType.SUMMARISATION, "bart", null, null)).isEqualTo(InputTemplate.NONE);
        assertThat(InputTemplate.of(TaskType.TRANSLATION, "llama", "en", "fr")).isEqualTo(InputTemplate.NONE);
        assertThatThrownBy(() -> InputTemplate.of(TaskType.TRANSLATION, "t5", "en", null))
                .hasMessageContaining("source_lang and target_lang");
    }

    @Test
    void eachTaskHasItsBuiltInPromptSet() {
        assertThat(PromptSet.builtinNames()).containsExactly("default", "summarisation", "translation");
        assertThat(PromptSet.load(null, TaskType.TEXT_GENERATION).origin()).isEqualTo("builtin:default");
        PromptSet documents = PromptSet.load(null, TaskType.SUMMARISATION);
        assertThat(documents.origin()).isEqualTo("builtin:summarisation");
        assertThat(documents.size()).isEqualTo(24);
        assertThat(documents.texts()).allSatisfy(t -> assertThat(t.split(" ").length).isBetween(50, 110));
        PromptSet sentences = PromptSet.load(null, TaskType.TRANSLATION);
        assertThat(sentences.size()).isEqualTo(40);
        assertThat(sentences.texts()).allSatisfy(t -> assertThat(t.split(" ").length).isBetween(4, 20))
                .doesNotHaveDuplicates();
        // a named set wins over the task's default
        assertThat(PromptSet.load(io.lem.runner.config.PromptSource.ofBuiltin("default"), TaskType.TRANSLATION)
                .origin()).isEqualTo("builtin:default");
    }
}
