package io.lem.aggregator.topology;

import io.lem.events.kafka.LemTopics;

import java.util.Objects;

/**
 * What the topology needs to know. Deterministic by design: no clocks, so a replay of the same events gives the same
 * stores.
 *
 * @param eventsTopic      the event log to read ({@link LemTopics#EVENTS})
 * @param deadLetterTopic  where malformed records go with the reason in header {@value LemTopology#ERROR_HEADER}
 *                         ({@link LemTopics#DEAD_LETTERS}); null to log and drop them instead (e.g. in a replay, so the
 *                         dead letters are not written twice)
 * @param experimentFilter when set, only events of this experiment are aggregated (replay of one experiment); null for
 *                         all
 */
public record AggregatorConfig(String eventsTopic, String deadLetterTopic, String experimentFilter) {

    public AggregatorConfig {
        Objects.requireNonNull(eventsTopic, "eventsTopic");
        if (eventsTopic.isBlank()) {
            throw new IllegalArgumentException("eventsTopic must not be blank");
        }
        if (deadLetterTopic != null && deadLetterTopic.isBlank()) {
            deadLetterTopic = null;
        }
        if (eventsTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException("the dead-letter topic must differ from the events topic");
        }
        if (experimentFilter != null && experimentFilter.isBlank()) {
            experimentFilter = null;
        }
    }

    /** Every experiment, dead letters written. */
    public AggregatorConfig(String eventsTopic, String deadLetterTopic) {
        this(eventsTopic, deadLetterTopic, null);
    }

    /** The standard topics, every experiment. */
    public static AggregatorConfig defaults() {
        return new AggregatorConfig(LemTopics.EVENTS, LemTopics.DEAD_LETTERS, null);
    }

    public AggregatorConfig withEventsTopic(String topic) {
        return new AggregatorConfig(topic, deadLetterTopic, experimentFilter);
    }

    public AggregatorConfig withDeadLetterTopic(String topic) {
        return new AggregatorConfig(eventsTopic, topic, experimentFilter);
    }

    public AggregatorConfig withExperimentFilter(String experimentId) {
        return new AggregatorConfig(eventsTopic, deadLetterTopic, experimentId);
    }
}
