/**
 * Synthetic HuggingFace model directories (llama, qwen2-style llama, gpt2) with random weights and a byte-level
 * tokenizer, for tests and for {@code lem model synth}.
 */
package io.lem.runner.model.synth;
