package io.lem.api.event;

/**
 * A runner process finished normally. Its own {@code seq} equals {@code lastSeq}.
 *
 * @param lastSeq       seq of this, the last event of the process
 * @param batches       measured batches (warm-up excluded)
 * @param inputTokens   real prompt tokens over measured batches
 * @param outputTokens  generated tokens over measured batches
 * @param durationNanos measured window of the process, first measured batch start to last end
 */
public record ProcessCompleted(Envelope envelope, long lastSeq, int batches, long inputTokens, long outputTokens,
                               long durationNanos) implements LemEvent {
}
