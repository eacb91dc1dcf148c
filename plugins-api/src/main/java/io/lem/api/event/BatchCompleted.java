package io.lem.api.event;

import java.util.Map;

/**
 * A batch finished.
 *
 * @param batchIndex           the batch
 * @param inputTokens          real prompt tokens
 * @param outputTokens         generated tokens over all sequences
 * @param prefillDurationNanos prompt pass duration
 * @param decodeDurationNanos  sum of decode step durations
 * @param durationNanos        batch start to end
 * @param warmup               true for warm-up batches
 * @param finishReasons        count of sequences per finish reason ({@code eos}, {@code length}, {@code stop})
 */
public record BatchCompleted(Envelope envelope, int batchIndex, long inputTokens, long outputTokens,
                             long prefillDurationNanos, long decodeDurationNanos, long durationNanos, boolean warmup,
                             Map<String, Integer> finishReasons) implements LemEvent {
    public BatchCompleted {
        finishReasons = finishReasons == null ? Map.of() : Map.copyOf(finishReasons);
    }
}
