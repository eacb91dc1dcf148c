package io.lem.api.energy;

/** Where a source must run so that no device is measured twice. */
public enum Scope {
    /** Machine-level meters (RAPL, CPU and RAM models): one process per host, local rank 0. */
    HOST,
    /** Devices owned by the process (its GPUs): every process runs it for its own devices. */
    PROCESS
}
