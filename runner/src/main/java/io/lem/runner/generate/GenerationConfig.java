package io.lem.runner.generate;

import io.lem.runner.config.DecoderConfig;
import io.lem.runner.config.ExperimentConfig;

import java.util.List;

/**
 * How to generate.
 *
 * @param maxNewTokens    {@code max_output_tokens}: tokens generated per prompt at most (>= 1)
 * @param minNewTokens    {@code min_output_tokens}: EOS is suppressed (its logits set to -inf) until a sequence has
 *                        generated this many tokens (0..maxNewTokens)
 * @param maxInputTokens  {@code max_input_tokens}: longer prompts are truncated on the LEFT, keeping their last
 *                        {@code maxInputTokens} tokens (the end of a prompt is what the continuation depends on; note
 *                        that a leading BOS token is dropped too). 0 = no limit
 * @param temperature     sampling temperature (> 0 when sampling; ignored for greedy decoding)
 * @param topK            sample among the k most likely tokens; 0 = off
 * @param topP            nucleus sampling: the smallest set of most likely tokens whose probability reaches topP;
 *                        1.0 = off
 * @param doSample        sample (seeded) rather than decode greedily
 * @param seed            sampling seed: prompt i of a generate call draws from its own stream derived from
 *                        (seed, i), so results do not depend on batching
 * @param eosTokenIds     tokens that end a sequence; empty = never stop early
 * @param padTokenId      id fed in pad positions (masked out) and into finished sequences; -1 = the first EOS id,
 *                        or 0 without one
 * @param batchSize       prompts per batch (>= 1)
 * @param dynamicBatching sort prompts by length before batching (less padding); results keep the input order
 */
public record GenerationConfig(int maxNewTokens, int minNewTokens, int maxInputTokens, double temperature, int topK,
        double topP, boolean doSample, long seed, List<Integer> eosTokenIds, int padTokenId, int batchSize,
        boolean dynamicBatching) {

    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be >= 1, was " + maxNewTokens);
        }
        if (minNewTokens < 0 || minNewTokens > maxNewTokens) {
            throw new IllegalArgumentException("minNewTokens must be in [0, maxNewTokens=" + maxNewTokens + "], was "
                    + minNewTokens);
        }
        if (maxInputTokens < 0) {
            throw new IllegalArgumentException("maxInputTokens must be >= 0 (0 = no limit), was " + maxInputTokens);
        }
        if (doSample && !(temperature > 0)) {
            throw new IllegalArgumentException("sampling needs temperature > 0, was " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0, was " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("topP must be in (0, 1], was " + topP);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1, was " + batchSize);
        }
        if (padTokenId < -1) {
            throw new IllegalArgumentException("padTokenId must be >= 0 (or -1 for the default), was " + padTokenId);
        }
    }

    /** The pad id actually used. */
    public int effectivePadTokenId() {
        if (padTokenId >= 0) {
            return padTokenId;
        }
        return eosTokenIds.isEmpty() ? 0 : eosTokenIds.get(0);
    }

    /**
     * The generation settings of an experiment: {@code max_output_tokens}, {@code min_output_tokens},
     * {@code max_input_tokens}, {@code decoder_config}, {@code seed} and {@code batching_options}. EOS and pad ids
     * are the model's (its tokenizer / generation_config).
     */
    public static GenerationConfig of(ExperimentConfig c, List<Integer> eosTokenIds, int padTokenId) {
        DecoderConfig d = c.decoderConfig();
        return new GenerationConfig(c.maxOutputTokens(), c.minOutputTokens(), c.maxInputTokens(),
                d.temperature() > 0 ? d.temperature() : 1.0, d.topK(), d.topP(), d.doSample(), c.seed(),
                eosTokenIds, padTokenId, c.batchingOptions().batchSize(), c.batchingOptions().dynamicBatching());
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxNewTokens(maxNewTokens).minNewTokens(minNewTokens).maxInputTokens(maxInputTokens)
                .temperature(temperature).topK(topK).topP(topP).doSample(doSample).seed(seed)
                .eosTokenIds(eosTokenIds).padTokenId(padTokenId).batchSize(batchSize)
                .dynamicBatching(dynamicBatching);
    }

    /** Defaults: 32 new tokens, greedy, no EOS, batch size 1, no truncation. */
    public static final class Builder {
        private int maxNewTokens = 32;
        private int minNewTokens;
        private int maxInputTokens;
        private double temperature = 1.0;
        private int topK;
        private double topP = 1.0;
        private boolean doSample;
        private long seed;
        private List<Integer> eosTokenIds = List.of();
        private int padTokenId = -1;
        private int batchSize = 1;
        private boolean dynamicBatching;

        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        public Builder minNewTokens(int v) {
            minNewTokens = v;
            return this;
        }

        public Builder maxInputTokens(int v) {
            maxInputTokens = v;
            return this;
        }

        public Builder temperature(double v) {
            temperature = v;
            return this;
        }

        public Builder topK(int v) {
            topK = v;
            return this;
        }

        public Builder topP(double v) {
            topP = v;
            return this;
        }

        public Builder doSample(boolean v) {
            doSample = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder eosTokenIds(List<Integer> v) {
            eosTokenIds = v;
            return this;
        }

        public Builder eosTokenId(int v) {
            eosTokenIds = List.of(v);
            return this;
        }

        public Builder padTokenId(int v) {
            padTokenId = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder dynamicBatching(boolean v) {
            dynamicBatching = v;
            return this;
        }

        public GenerationConfig build() {
            return new GenerationConfig(maxNewTokens, minNewTokens, maxInputTokens, temperature, topK, topP,
                    doSample, seed, eosTokenIds, padTokenId, batchSize, dynamicBatching);
        }
    }
}
