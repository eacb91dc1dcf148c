package io.lem.api.event;

/**
 * Every event lem writes to {@code lem.events.v1}. One record per type; the JSON {@code type} discriminator is the
 * record's simple name. See plugins-api/README.md for the schema table.
 */
public sealed interface LemEvent
        permits ExperimentStarted, ProcessStarted, BatchStarted, PrefillCompleted, TokensGenerated, BatchCompleted,
        PowerSample, EnergyReading, MemorySample, FlopsEstimate, ProcessCompleted, ProcessFailed, ExperimentCompleted {

    /** Schema version written by this build. Readers accept higher versions and report unknown fields. */
    int SCHEMA_VERSION = 1;

    /** Process index used by the launcher ({@code lem run}) for experiment-level events. */
    int LAUNCHER_PROCESS_INDEX = -1;

    Envelope envelope();

    /** The JSON discriminator of this event. */
    default String type() {
        return getClass().getSimpleName();
    }
}
