package io.lem.events.kafka;

/** Topic names, defined once. */
public final class LemTopics {
    /** The event log: every event of every experiment, keyed by {@code experimentId/processIndex}. */
    public static final String EVENTS = "lem.events.v1";
    /** Records the aggregator could not read, with the reason in a header. */
    public static final String DEAD_LETTERS = "lem.events.dlq";

    private LemTopics() {
    }
}
