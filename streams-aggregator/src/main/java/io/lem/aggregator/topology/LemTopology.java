package io.lem.aggregator.topology;

import io.lem.aggregator.model.ExperimentSummary;
import io.lem.aggregator.model.ProcessSummary;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The aggregator's Kafka Streams topology:
 *
 * <pre>
 * events (bytes) -> aggregate: decode, check key, de-dup by seq, fold ----------> dead letters (malformed, lem.error)
 *                     | summaries held as objects (PROCESS_CACHE); before each commit every changed one is
 *                     | written to store PROCESS_SUMMARIES and forwarded, keyed by experiment id (no repartition of
 *                     v the events: same key)
 *                   repartition BY_EXPERIMENT
 *                     v
 *                   commit pacing (passes them on; asks for a commit when they stop coming: CommitPacing)
 *                     v
 *                   aggregate (latest summary per process) => store EXPERIMENT_SUMMARIES
 * </pre>
 *
 * <p>The experiment level holds the latest summary of each process and derives totals on read, so there is no
 * subtractor (and none of its traps). Both queryable stores are persistent and changelogged; the application runs it
 * with {@code processing.guarantee=exactly_once_v2}. Every serde is given explicitly: the topology needs no default
 * serdes. The topology is deterministic (no clocks): a replay of the same events gives the same results.
 */
public final class LemTopology {
    /** Header of a dead letter: why the record could not be aggregated (UTF-8, one line). */
    public static final String ERROR_HEADER = "lem.error";
    /** Header of a dead letter: where it was read, {@code topic-partition@offset}. */
    public static final String SOURCE_HEADER = "lem.source";

    private LemTopology() {
    }

    /**
     * Optional application config (milliseconds): while the input is caught up (records younger than 5 s), a
     * change is committed after about this long even when {@code commit.interval.ms} is longer. Absent: commits
     * follow {@code commit.interval.ms} alone.
     */
    public static final String CAUGHT_UP_COMMIT_INTERVAL_CONFIG = "lem.caught.up.commit.interval.ms";

    /** Process summaries one task keeps decoded in memory beyond those changed since its last commit. */
    static final int CACHED_SUMMARIES_PER_TASK = 1024;

    public static Topology build(AggregatorConfig config) {
        StreamsBuilder builder = new StreamsBuilder();
        EventActivity activity = new EventActivity();
        builder.addStateStore(Stores.timestampedKeyValueStoreBuilder(
                        Stores.persistentTimestampedKeyValueStore(LemStores.PROCESS_SUMMARIES),
                        LemSerdes.key(), LemSerdes.processSummary())
                .withCachingDisabled()); // ProcessSummaryCache is its cache, of objects rather than bytes
        builder.addStateStore(ProcessSummaryCache.builder(LemStores.PROCESS_CACHE, CACHED_SUMMARIES_PER_TASK));

        KStream<String, Object> out = builder
                .stream(config.eventsTopic(), Consumed.with(LemSerdes.key(), LemSerdes.raw()).withName("lem-events"))
                .process(() -> new ProcessAggregator(config, activity), Named.as("lem-process-aggregate"),
                        LemStores.PROCESS_SUMMARIES, LemStores.PROCESS_CACHE);

        if (config.deadLetterTopic() != null) {
            out.filter((key, value) -> value instanceof DeadLetter, Named.as("lem-malformed"))
                    .mapValues(value -> ((DeadLetter) value).raw(), Named.as("lem-malformed-value"))
                    .to(config.deadLetterTopic(),
                            Produced.with(LemSerdes.key(), LemSerdes.raw()).withName("lem-dead-letters"));
        }

        out.filter((experimentId, value) -> value instanceof ProcessSummary, Named.as("lem-process-updates"))
                .mapValues(value -> (ProcessSummary) value, Named.as("lem-process-update-values"))
                .repartition(Repartitioned.<String, ProcessSummary>as(LemStores.BY_EXPERIMENT)
                        .withKeySerde(LemSerdes.key()).withValueSerde(LemSerdes.processSummary()))
                .processValues(() -> new ExperimentCommitPacer(activity), Named.as("lem-experiment-commit-pacing"))
                .groupByKey(Grouped.with(LemSerdes.key(), LemSerdes.processSummary()))
                .aggregate(ExperimentSummary::new, (experimentId, summary, experiment) -> experiment.withProcess(summary),
                        Named.as("lem-experiment-aggregate"),
                        Materialized.<String, ExperimentSummary, KeyValueStore<Bytes, byte[]>>as(
                                        LemStores.EXPERIMENT_SUMMARIES)
                                .withKeySerde(LemSerdes.key())
                                .withValueSerde(LemSerdes.experimentSummary())
                                .withCachingEnabled());
        return builder.build();
    }
}
