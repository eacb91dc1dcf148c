package io.lem.plugins.cpumodel;

/** Busy fraction of each CPU package since the previous call; injectable so that the model's math is testable. */
@FunctionalInterface
interface PackageUtilization extends AutoCloseable {

    /**
     * One value per package in [0, 1]; {@code NaN} for a package whose counters did not move since the last call
     * (calls closer together than the kernel's accounting tick).
     */
    double[] sinceLastCall();

    /** Releases what the reader holds open (a file); reading after close is not allowed. */
    @Override
    default void close() {
    }
}
