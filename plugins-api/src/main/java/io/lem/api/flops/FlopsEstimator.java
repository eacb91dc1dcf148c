package io.lem.api.flops;

/** FLOPs of batches of one model, under the methods of its provider. */
public interface FlopsEstimator {
    /** FLOPs of the whole batch (prefill and every decode step) under {@code method}. */
    FlopsCount estimate(String method, BatchWork batch);
}
