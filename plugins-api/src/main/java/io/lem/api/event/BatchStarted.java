package io.lem.api.event;

/**
 * A batch of prompts entered the model.
 *
 * @param batchIndex        index of the batch within this process (warm-up batches included)
 * @param batchSize         number of sequences
 * @param inputTokens       real (unpadded) prompt tokens over the batch
 * @param paddedInputTokens prompt tokens including padding (batch size × longest prompt)
 * @param warmup            true for warm-up batches, which are not measured
 */
public record BatchStarted(Envelope envelope, int batchIndex, int batchSize, long inputTokens, long paddedInputTokens,
                           boolean warmup) implements LemEvent {
}
