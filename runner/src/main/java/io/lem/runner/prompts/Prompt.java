package io.lem.runner.prompts;

import java.util.Objects;

/**
 * One prompt of an experiment.
 *
 * @param index position of the prompt in the experiment's prompt list (after {@code num_input_prompts} is applied),
 *              the same in every process: sharding keeps it, so outputs of all processes can be merged by it
 * @param text  the prompt text
 */
public record Prompt(int index, String text) {

    public Prompt {
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0, was " + index);
        }
        Objects.requireNonNull(text, "text");
    }
}
