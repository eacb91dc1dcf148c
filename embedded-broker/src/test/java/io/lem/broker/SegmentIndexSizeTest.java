package io.lem.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentIndexSizeTest {
    @TempDir
    Path logDir;

    private void index(String partition, long baseOffset, String suffix, long bytes) throws IOException {
        Path dir = Files.createDirectories(logDir.resolve(partition));
        try (RandomAccessFile f = new RandomAccessFile(
                dir.resolve(String.format("%020d%s", baseOffset, suffix)).toFile(), "rw")) {
            f.setLength(bytes); // sparse, as Kafka preallocates them
        }
    }

    @Test
    void aNewOrMissingLogDirGetsTheSmallSize() {
        assertThat(SegmentIndexSize.forLogDir(logDir.resolve("not-yet"))).isEqualTo(SegmentIndexSize.SMALL_BYTES);
        assertThat(SegmentIndexSize.forLogDir(logDir)).isEqualTo(SegmentIndexSize.SMALL_BYTES);
    }

    @Test
    void indexesThatFitKeepTheSmallSize() throws IOException {
        index("__cluster_metadata-0", 0, ".index", 10L << 20); // sized by Kafka itself, whatever the setting
        index("__cluster_metadata-0", 0, ".timeindex", (10L << 20) - 4);
        index("events-0", 0, ".index", SegmentIndexSize.SMALL_BYTES);
        index("events-0", 0, ".timeindex", SegmentIndexSize.SMALL_BYTES - 4);
        Files.writeString(logDir.resolve("meta.properties"), "node.id=1\n");
        assertThat(SegmentIndexSize.forLogDir(logDir)).isEqualTo(SegmentIndexSize.SMALL_BYTES);
    }

    @Test
    void aLargerIndexKeepsKafkasDefault() throws IOException {
        index("events-0", 0, ".index", 4096);
        index("events-1", 0, ".index", 95_992);
        index("events-1", 0, ".timeindex", 2 * SegmentIndexSize.SMALL_BYTES + 12); // an earlier lem's, trimmed
        assertThat(SegmentIndexSize.forLogDir(logDir)).isEqualTo(SegmentIndexSize.KAFKA_DEFAULT_BYTES);
    }

    @Test
    void anIndexLargerThanKafkasDefaultIsKeptWhole() throws IOException {
        index("events-0", 0, ".index", 16L << 20); // written with a larger override
        assertThat(SegmentIndexSize.forLogDir(logDir)).isEqualTo(16 << 20);
    }

    @Test
    void aLargeIndexOfARolledSegmentCountsToo() throws IOException {
        // recovering a segment after an unclean shutdown rebuilds its index in the configured size
        index("events-0", 0, ".index", 2_097_152);
        index("events-0", 0, ".timeindex", 3_145_728);
        index("events-0", 1_234_567, ".index", 8_000);
        index("events-0", 1_234_567, ".timeindex", 12_000);
        assertThat(SegmentIndexSize.forLogDir(logDir)).isEqualTo(SegmentIndexSize.KAFKA_DEFAULT_BYTES);
    }
}
