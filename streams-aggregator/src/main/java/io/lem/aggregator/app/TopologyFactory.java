package io.lem.aggregator.app;

import io.lem.aggregator.topology.AggregatorConfig;
import io.lem.aggregator.topology.LemTopology;
import org.apache.kafka.streams.Topology;

import java.util.Map;

/** Builds the topology's configuration from the app's settings: the one place the app touches the topology. */
final class TopologyFactory {
    private TopologyFactory() {
    }

    /**
     * A replay writes no dead letters: the live aggregator already wrote each malformed record once, and a replay
     * would only duplicate them.
     */
    static AggregatorConfig config(AggregatorSettings settings) {
        boolean replay = ApplicationIds.isReplayId(settings.applicationId());
        return new AggregatorConfig(settings.eventsTopic(), replay ? null : settings.deadLetterTopic(),
                settings.experimentFilter());
    }

    static Topology build(AggregatorSettings settings) {
        return LemTopology.build(config(settings));
    }

    /** Streams properties the topology needs beyond the app's own: none (it decodes and routes dead letters itself). */
    static Map<String, Object> streamsOverrides(AggregatorSettings settings) {
        return Map.of();
    }
}
