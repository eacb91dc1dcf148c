package io.lem.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The {@code log.index.size.max.bytes} a broker may start with on a log dir. lem's is {@link #SMALL_BYTES}, below
 * Kafka's 10 MiB; but Kafka resizes an active segment's index to the configured maximum when it loads the log, and
 * rebuilds a segment's index in that size when it recovers the segment after an unclean shutdown. If the index holds
 * more entries than the new maximum allows, the broker stops with a fatal
 * {@code IllegalArgumentException: newPosition > limit} (checked by hand on Kafka 4.4). So a log dir with larger
 * segment indexes (written by an earlier lem, or with an override) keeps a size that fits them.
 */
final class SegmentIndexSize {
    /** lem's maximum for new log dirs (see {@code EmbeddedKafka#brokerProperties}). */
    static final int SMALL_BYTES = 1 << 20;
    /** Kafka's own default, what log dirs of earlier lem versions were written with. */
    static final int KAFKA_DEFAULT_BYTES = 10 << 20;
    /** The KRaft metadata log's partition directory. */
    private static final String METADATA_LOG_DIR = "__cluster_metadata-0";

    private SegmentIndexSize() {
    }

    /**
     * {@link #SMALL_BYTES}, or when an offset or time index of any segment in {@code logDir} is larger, the larger of
     * that file's size and {@link #KAFKA_DEFAULT_BYTES}. A log dir that does not exist yet gets the small size, one
     * that cannot be read Kafka's default.
     */
    static int forLogDir(Path logDir) {
        long largest = 0;
        if (Files.isDirectory(logDir)) {
            // <logDir>/<topic>-<partition>/<base offset>.index and .timeindex; not the KRaft metadata log's, which
            // Kafka sizes on its own (10 MiB whatever this setting says)
            try (Stream<Path> files = Files.find(logDir, 2, (f, attributes) -> attributes.isRegularFile()
                    && (f.toString().endsWith(".index") || f.toString().endsWith(".timeindex"))
                    && !f.getParent().getFileName().toString().equals(METADATA_LOG_DIR))) {
                for (Path index : (Iterable<Path>) files::iterator) {
                    largest = Math.max(largest, Files.size(index));
                }
            } catch (IOException | UncheckedIOException e) {
                return KAFKA_DEFAULT_BYTES; // the safe size; Kafka itself reports a log dir it cannot read
            }
        }
        if (largest <= SMALL_BYTES) {
            return SMALL_BYTES;
        }
        return (int) Math.min(Integer.MAX_VALUE, Math.max(largest, KAFKA_DEFAULT_BYTES));
    }
}
