package io.lem.api.event;

/**
 * The prompt pass of a batch finished and its first tokens exist.
 *
 * @param batchIndex             the batch
 * @param timeToFirstTokenNanos  from batch start to the first generated token, device synchronized
 * @param inputTokens            real prompt tokens processed
 */
public record PrefillCompleted(Envelope envelope, int batchIndex, long timeToFirstTokenNanos, long inputTokens)
        implements LemEvent {
}
