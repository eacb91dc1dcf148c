/**
 * Where an experiment's prompts come from and which process runs which: {@link io.lem.runner.prompts.PromptSet}
 * (sources, {@code num_input_prompts}, round-robin sharding) and {@link io.lem.runner.prompts.PromptFormat} (text
 * and JSONL files). The built-in sets live beside these classes as {@code <name>.jsonl} resources.
 */
package io.lem.runner.prompts;
