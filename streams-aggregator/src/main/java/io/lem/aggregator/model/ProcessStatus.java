package io.lem.aggregator.model;

import java.util.Locale;

/** Where a runner process stands, as far as its events tell. */
public enum ProcessStatus {
    /** No terminal event yet. */
    RUNNING,
    /** {@code ProcessCompleted} arrived and every seq from 0 to its {@code lastSeq} arrived. */
    COMPLETED,
    /** {@code ProcessFailed} arrived. */
    FAILED,
    /**
     * {@code ProcessFailed} with reason {@code cancelled} arrived: stopped on request (Ctrl-C, SIGTERM) after
     * reporting what it had done.
     */
    CANCELLED,
    /** A terminal event arrived but seqs below it are missing (or the experiment ended without one). */
    INCOMPLETE;

    /** The JSON name: lower case. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
