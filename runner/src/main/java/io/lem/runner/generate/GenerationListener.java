package io.lem.runner.generate;

import io.lem.api.flops.FlopsCount;

import java.util.List;

/**
 * Receives the progress of a generation, batch by batch, on the generating thread. Durations are
 * {@link System#nanoTime()} differences taken after the device finished the work they time: each forward pass ends by
 * copying the last-position logits to the JVM ({@code toFloatArray}), which waits for the device on CPU and on GPU
 * alike, and the clock is read after that copy (and after choosing the next tokens).
 */
public interface GenerationListener {

    GenerationListener NONE = new GenerationListener() {
    };

    /**
     * A batch is about to run.
     *
     * @param batchIndex          0-based within one {@link Generator#generate} call
     * @param batchSize           sequences in the batch
     * @param promptIndices       the prompts it holds (indices into the list given to generate)
     * @param inputTokens         real prompt tokens, summed over the batch
     * @param paddedInputTokens   batch size × longest prompt: what prefill actually processes
     */
    record BatchStart(int batchIndex, int batchSize, List<Integer> promptIndices, long inputTokens,
            long paddedInputTokens) {
        public BatchStart {
            promptIndices = List.copyOf(promptIndices);
        }
    }

    /**
     * Prefill finished and produced the first token of every sequence.
     *
     * @param timeToFirstTokenNanos from the start of prefill until the first tokens were chosen
     * @param tokensProduced        one per sequence
     * @param countedFlops          the {@code counted} FLOPs of the prefill pass alone
     */
    record PrefillDone(int batchIndex, long timeToFirstTokenNanos, int tokensProduced, FlopsCount countedFlops) {
    }

    /**
     * One decode step (one new token per unfinished sequence).
     *
     * @param step           1-based: step 1 produces the second token of each sequence
     * @param tokensProduced sequences that were still running and got a token this step
     * @param stepNanos      duration of the step
     */
    record DecodeStep(int batchIndex, int step, int tokensProduced, long stepNanos) {
    }

    /**
     * A batch finished. Lists are per sequence, in batch order ({@code promptIndices} of {@link BatchStart}).
     *
     * @param inputTokens   real prompt tokens per sequence
     * @param outputTokens  generated tokens per sequence (an EOS token counts; nothing after it)
     * @param finishReasons eos or length per sequence
     * @param prefillNanos  prefill duration (time to first token)
     * @param decodeNanos   from the end of prefill to the end of the last decode step
     * @param countedFlops  the {@code counted} FLOPs method: matmuls actually executed on the padded batch
     */
    record BatchEnd(int batchIndex, List<Integer> promptIndices, List<Integer> inputTokens,
            List<Integer> outputTokens, List<FinishReason> finishReasons, long prefillNanos, long decodeNanos,
            FlopsCount countedFlops) {
        public BatchEnd {
            promptIndices = List.copyOf(promptIndices);
            inputTokens = List.copyOf(inputTokens);
            outputTokens = List.copyOf(outputTokens);
            finishReasons = List.copyOf(finishReasons);
        }

        public long totalInputTokens() {
            return inputTokens.stream().mapToLong(Integer::longValue).sum();
        }

        public long totalOutputTokens() {
            return outputTokens.stream().mapToLong(Integer::longValue).sum();
        }
    }

    default void onBatchStart(BatchStart event) {
    }

    default void onPrefillDone(PrefillDone event) {
    }

    default void onDecodeStep(DecodeStep event) {
    }

    default void onBatchEnd(BatchEnd event) {
    }
}
