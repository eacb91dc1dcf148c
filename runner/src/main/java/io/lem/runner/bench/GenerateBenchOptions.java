package io.lem.runner.bench;

import java.util.List;

/**
 * What {@link GenerateBench} runs.
 *
 * @param batchSizes   batch sizes, each measured on its own
 * @param promptTokens tokens per prompt (random ids, fixed seed)
 * @param newTokens    tokens generated per sequence (>= 2: at least one decode step); EOS never stops a sequence
 * @param repeats      timed runs per batch size after one warm-up; the fastest prefill and decode count
 * @param peakSizes    what the peak probe runs
 */
public record GenerateBenchOptions(List<Integer> batchSizes, int promptTokens, int newTokens, int repeats,
        PeakProbe.Sizes peakSizes) {

    public GenerateBenchOptions {
        batchSizes = List.copyOf(batchSizes);
        if (batchSizes.isEmpty() || batchSizes.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("batch sizes must be >= 1, were " + batchSizes);
        }
        if (promptTokens < 1) {
            throw new IllegalArgumentException("promptTokens must be >= 1, was " + promptTokens);
        }
        if (newTokens < 2) {
            throw new IllegalArgumentException("newTokens must be >= 2 (one decode step), was " + newTokens);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, was " + repeats);
        }
    }
}
