package io.lem.runner.config;

/**
 * {@code batching_options}.
 *
 * @param batchSize       prompts per batch, >= 1 (default 1)
 * @param dynamicBatching group prompts of similar length into batches (default false)
 */
public record BatchingOptions(int batchSize, boolean dynamicBatching) {
}
