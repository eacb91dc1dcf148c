package io.lem.aggregator.topology;

import io.lem.aggregator.model.ExperimentSummary;
import io.lem.aggregator.model.ProcessSummary;
import io.lem.aggregator.model.SummaryFormatException;
import io.lem.api.event.DecodeResult;
import io.lem.events.kafka.LemEventSerde;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every serde of the topology, defined once. The summary serdes use the summaries' compact binary formats
 * ({@link ProcessSummary#toBytes()}, {@link ExperimentSummary#toBytes()}); they are stateless and thread-safe, so
 * interactive queries may use them from any thread.
 */
public final class LemSerdes {

    private LemSerdes() {
    }

    /** Keys: {@code experimentId/processIndex} and {@code experimentId}, UTF-8. */
    public static Serde<String> key() {
        return Serdes.String();
    }

    /** Raw record values of the events and dead-letter topics. */
    public static Serde<byte[]> raw() {
        return Serdes.ByteArray();
    }

    /** Decoded events (only used should Streams ever need to materialize them). */
    public static Serde<DecodeResult> events() {
        return LemEventSerde.decodeResultSerde();
    }

    public static Serde<ProcessSummary> processSummary() {
        return Serdes.serdeFrom(
                (topic, summary) -> summary == null ? null : summary.toBytes(),
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    try {
                        return ProcessSummary.fromBytes(bytes);
                    } catch (SummaryFormatException e) {
                        throw new SerializationException(e.getMessage(), e);
                    }
                });
    }

    public static Serde<ExperimentSummary> experimentSummary() {
        return Serdes.serdeFrom(
                (topic, summary) -> summary == null ? null : summary.toBytes(),
                (topic, bytes) -> {
                    if (bytes == null) {
                        return null;
                    }
                    try {
                        return ExperimentSummary.fromBytes(bytes);
                    } catch (SummaryFormatException e) {
                        throw new SerializationException(e.getMessage(), e);
                    }
                });
    }
}
