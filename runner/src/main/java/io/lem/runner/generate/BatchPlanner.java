package io.lem.runner.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Splits prompts into batches. In order by default; with dynamic batching the prompts are first sorted by length
 * (stable, shortest first) so that prompts of similar length share a batch and less padding is processed. Callers
 * put results back in the original order.
 */
public final class BatchPlanner {

    private BatchPlanner() {
    }

    /** Prompt indices per batch. */
    public static List<int[]> plan(int[] lengths, int batchSize, boolean dynamic) {
        Integer[] order = IntStream.range(0, lengths.length).boxed().toArray(Integer[]::new);
        if (dynamic) {
            Arrays.sort(order, Comparator.comparingInt(i -> lengths[i])); // stable
        }
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(order.length, start + batchSize);
            int[] batch = new int[end - start];
            for (int i = start; i < end; i++) {
                batch[i - start] = order[i];
            }
            batches.add(batch);
        }
        return batches;
    }

    /** Tokens a plan processes in prefill: batch size × longest prompt, summed. */
    public static long paddedTokens(int[] lengths, List<int[]> plan) {
        long total = 0;
        for (int[] batch : plan) {
            int max = 0;
            for (int i : batch) {
                max = Math.max(max, lengths[i]);
            }
            total += (long) max * batch.length;
        }
        return total;
    }
}
