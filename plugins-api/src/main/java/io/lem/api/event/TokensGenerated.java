package io.lem.api.event;

/**
 * One decode step of a batch.
 *
 * @param batchIndex         the batch
 * @param step               decode step within the batch, starting at 1 (step 0 is the prefill's token)
 * @param tokenCount         tokens produced in this step (sequences still running)
 * @param stepDurationNanos  duration of the step, device synchronized; the inter-token latency
 */
public record TokensGenerated(Envelope envelope, int batchIndex, int step, int tokenCount, long stepDurationNanos)
        implements LemEvent {
}
