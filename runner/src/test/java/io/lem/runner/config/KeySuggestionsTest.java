package io.lem.runner.config;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KeySuggestionsTest {

    private static final List<String> KEYS = List.of("max_input_tokens", "max_output_tokens", "min_output_tokens",
            "top_p", "top_k", "seed");

    @Test
    void distanceCountsEditsAndSwaps() {
        assertThat(KeySuggestions.distance("max_ouput_tokens", "max_output_tokens")).isEqualTo(1);
        assertThat(KeySuggestions.distance("sede", "seed")).isEqualTo(1);
        assertThat(KeySuggestions.distance("", "abc")).isEqualTo(3);
        assertThat(KeySuggestions.distance("kitten", "sitting")).isEqualTo(3);
    }

    @Test
    void nearestIgnoresCaseAndPrefersTheClosest() {
        assertThat(KeySuggestions.nearest("MAX_OUTPUT_TOKEN", KEYS)).contains("max_output_tokens");
        assertThat(KeySuggestions.nearest("min_ouptut_tokens", KEYS)).contains("min_output_tokens");
        assertThat(KeySuggestions.nearest("top_q", KEYS)).contains("top_p");
    }

    @Test
    void nothingIsSuggestedForAnUnrelatedKey() {
        assertThat(KeySuggestions.nearest("frobnicate", KEYS)).isEmpty();
        assertThat(KeySuggestions.nearest("gpus", KEYS)).isEmpty();
    }
}
