package io.lem.aggregator.topology;

/**
 * Names of the aggregator's state stores and internal topics, defined once. Both queryable stores are persistent
 * RocksDB key-value stores with a changelog. The process store sits behind an in-memory cache of decoded summaries
 * that writes through, and forwards to the experiment level, once per changed process per commit; the experiment
 * store uses Streams' record cache.
 *
 * <p>Query them with {@code QueryableStoreTypes.keyValueStore()}; route a key with
 * {@code KafkaStreams.queryMetadataForKey(store, key, Serdes.String().serializer())}.
 */
public final class LemStores {

    /**
     * {@code KeyValueStore<String, ProcessSummary>}, key {@code experimentId/processIndex} (the event key; the
     * launcher's key ends in {@code /-1}). Partitioned like the events topic.
     */
    public static final String PROCESS_SUMMARIES = "lem-process-summaries";

    /**
     * Not queryable: the decoded process summaries of a task held in memory in front of {@link #PROCESS_SUMMARIES}
     * and written through before every commit ({@code ProcessSummaryCache}). Neither logged nor persistent.
     */
    public static final String PROCESS_CACHE = "lem-process-summary-cache";

    /**
     * {@code KeyValueStore<String, ExperimentSummary>}, key {@code experimentId}. Partitioned by experiment id through
     * the {@link #BY_EXPERIMENT} repartition topic. A range scan ({@code all()}) of every instance's store lists all
     * experiments ({@code GET /experiments}); no separate listing store is needed.
     */
    public static final String EXPERIMENT_SUMMARIES = "lem-experiment-summaries";

    /** Name of the repartition step re-keying process summaries by experiment ({@code <appId>-<this>-repartition}). */
    public static final String BY_EXPERIMENT = "lem-by-experiment";

    private LemStores() {
    }
}
