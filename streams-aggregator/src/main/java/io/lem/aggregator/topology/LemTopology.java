package io.lem.aggregator.topology;

import io.lem.aggregator.model.ExperimentSummary;
import io.lem.aggregator.model.ProcessSummary;
import io.lem.api.event.DecodeResult;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregator's Kafka Streams topology:
 *
 * <pre>
 * events (bytes) -> decode + check key ----------------------------------------> dead letters (malformed, lem.error)
 *                      | well-formed, keyed experimentId/processIndex
 *                      v
 *                   aggregate (de-dup by seq, fold)  => store PROCESS_SUMMARIES   (no repartition: same key)
 *                      | updates, coalesced by the store cache (about one per process per commit)
 *                      v
 *                   re-key by experimentId -> repartition BY_EXPERIMENT
 *                      v
 *                   aggregate (latest summary per process) => store EXPERIMENT_SUMMARIES
 * </pre>
 *
 * <p>The experiment level holds the latest summary of each process and derives totals on read, so there is no
 * subtractor (and none of its traps). Both stores are persistent, changelogged and cached; the application runs it
 * with {@code processing.guarantee=exactly_once_v2}. Every serde is given explicitly: the topology needs no default
 * serdes. The topology is deterministic (no clocks): a replay of the same events gives the same results.
 */
public final class LemTopology {
    /** Header of a dead letter: why the record could not be aggregated (UTF-8, one line). */
    public static final String ERROR_HEADER = "lem.error";
    /** Header of a dead letter: where it was read, {@code topic-partition@offset}. */
    public static final String SOURCE_HEADER = "lem.source";

    private static final Logger log = LoggerFactory.getLogger(LemTopology.class);

    private LemTopology() {
    }

    public static Topology build(AggregatorConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        KStream<String, Decoded> decoded = builder
                .stream(config.eventsTopic(), Consumed.with(LemSerdes.key(), LemSerdes.raw()).withName("lem-events"))
                .processValues(() -> new DecodeProcessor(config), Named.as("lem-decode"));

        if (config.deadLetterTopic() != null) {
            decoded.filter((key, d) -> d.isFailed(), Named.as("lem-malformed"))
                    .mapValues(Decoded::raw, Named.as("lem-malformed-value"))
                    .to(config.deadLetterTopic(),
                            Produced.with(LemSerdes.key(), LemSerdes.raw()).withName("lem-dead-letters"));
        }

        KTable<String, ProcessSummary> processes = decoded
                .filter((key, d) -> !d.isFailed(), Named.as("lem-well-formed"))
                .mapValues(Decoded::result, Named.as("lem-decoded-events"))
                .groupByKey(Grouped.with(LemSerdes.key(), LemSerdes.events()))
                .aggregate(ProcessSummary::new, LemTopology::fold, Named.as("lem-process-aggregate"),
                        Materialized.<String, ProcessSummary, KeyValueStore<Bytes, byte[]>>as(LemStores.PROCESS_SUMMARIES)
                                .withKeySerde(LemSerdes.key())
                                .withValueSerde(LemSerdes.processSummary())
                                .withCachingEnabled());

        processes.toStream(Named.as("lem-process-updates"))
                .filter((key, summary) -> summary != null && summary.experimentId() != null,
                        Named.as("lem-process-updates-present"))
                .selectKey((key, summary) -> summary.experimentId(), Named.as("lem-key-by-experiment"))
                .groupByKey(Grouped.with(LemStores.BY_EXPERIMENT, LemSerdes.key(), LemSerdes.processSummary()))
                .aggregate(ExperimentSummary::new, (experimentId, summary, experiment) -> experiment.withProcess(summary),
                        Named.as("lem-experiment-aggregate"),
                        Materialized.<String, ExperimentSummary, KeyValueStore<Bytes, byte[]>>as(
                                        LemStores.EXPERIMENT_SUMMARIES)
                                .withKeySerde(LemSerdes.key())
                                .withValueSerde(LemSerdes.experimentSummary())
                                .withCachingEnabled());
        return builder.build();
    }

    /**
     * Folds one event into a process summary. A summary read from the store still holds the bytes it was read from,
     * so should folding ever throw, the untouched state is restored from them for free and the event is skipped (and
     * logged) instead of stopping the stream thread on every restart.
     */
    static ProcessSummary fold(String key, DecodeResult event, ProcessSummary summary) {
        byte[] before = summary.toBytes();
        try {
            summary.apply(event);
            return summary;
        } catch (RuntimeException e) {
            log.error("event {}/{} seq {} ({}) could not be folded into {}; skipped", event.envelope().experimentId(),
                    event.envelope().processIndex(), event.envelope().seq(), event.getClass().getSimpleName(), key, e);
            return ProcessSummary.fromBytes(before);
        }
    }
}
