package io.lem.aggregator.model;

import java.util.Locale;

/** Where an experiment stands; see {@link ExperimentSummary#status()} for the rules. */
public enum ExperimentStatus {
    RUNNING, COMPLETED, FAILED, CANCELLED, INCOMPLETE;

    /** The JSON name: lower case. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }
}
