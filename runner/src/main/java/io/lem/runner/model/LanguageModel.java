package io.lem.runner.model;

/**
 * A model on a device, decoder-only ({@link CausalLm}) or encoder-decoder ({@link Seq2SeqLm}). One implementation per
 * family; not thread-safe.
 */
public interface LanguageModel {

    ModelInfo info();
}
