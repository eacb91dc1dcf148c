package io.lem.api.flops;

import java.util.List;

/**
 * The tokens one batch processed, per sequence: {@code inputTokens.get(i)} prompt tokens (unpadded) and then
 * {@code outputTokens.get(i)} generated tokens, each decoded with a KV cache.
 */
public record BatchWork(List<Integer> inputTokens, List<Integer> outputTokens) {
    public BatchWork {
        inputTokens = List.copyOf(inputTokens);
        outputTokens = List.copyOf(outputTokens);
        if (inputTokens.size() != outputTokens.size()) {
            throw new IllegalArgumentException("inputTokens and outputTokens must have one entry per sequence, had "
                    + inputTokens.size() + " and " + outputTokens.size());
        }
    }

    public long totalInputTokens() {
        return inputTokens.stream().mapToLong(Integer::longValue).sum();
    }

    public long totalOutputTokens() {
        return outputTokens.stream().mapToLong(Integer::longValue).sum();
    }
}
