package io.lem.aggregator.app;

import io.lem.broker.testing.KafkaTestBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Replay#consumedUpTo}, the caught-up condition of replays and of the aggregator bench, on a real broker: a
 * repartition partition whose records belong to a transaction not yet decided (or whose commit marker has not arrived)
 * is not consumed, although its last stable offset says there is nothing to read.
 */
class ConsumedUpToTest {
    @TempDir
    static Path tmp;

    // one broker for the class; each test has its own topics, group and transactional id
    private static KafkaTestBroker kafka;
    private static Admin admin;
    private static GroupProgress progress;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = KafkaTestBroker.start(tmp.resolve("kafka"));
        Map<String, Object> client = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        admin = Admin.create(client);
        progress = new GroupProgress(admin, client, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stopBroker() throws Exception {
        progress.close();
        admin.close();
        kafka.close();
    }

    @Test
    void repartitionRecordsOfAnUndecidedTransactionAreNotConsumed() throws Exception {
        String appId = "agg-upto";
        String events = "upto.events";
        String repartition = appId + "-lem-by-experiment-repartition";
        kafka.createTopic(events, 1);
        kafka.createTopic(repartition, 1);
        TopicPartition eventsTp = new TopicPartition(events, 0);
        TopicPartition repartitionTp = new TopicPartition(repartition, 0);
        Map<TopicPartition, Long> noEvents = Map.of(eventsTp, 0L);

        try (KafkaProducer<byte[], byte[]> producer = transactional(appId)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(repartition, 0, null, bytes("summary-" + i)));
            }
            producer.flush();

            // written, not committed: the last stable offset is still 0, the high watermark 3
            assertThat(progress.endOffsets(List.of(repartitionTp))).containsEntry(repartitionTp, 0L);
            assertThat(progress.highWatermarks(List.of(repartitionTp)))
                    .containsEntry(repartitionTp, 3L);
            assertThat(Replay.consumedUpTo(progress, appId, noEvents))
                    .as("records of an open transaction are still to be read").containsKey(repartitionTp);

            producer.commitTransaction();
        }
        // committed: readable, and the group has not read them
        assertThat(Replay.consumedUpTo(progress, appId, noEvents)).containsKey(repartitionTp);

        // the group commits past the three records; only the commit marker lies beyond
        admin.alterConsumerGroupOffsets(appId, Map.of(repartitionTp, new OffsetAndMetadata(3L))).all().get();
        assertThat(progress.highWatermarks(List.of(repartitionTp))).containsEntry(repartitionTp, 4L);
        assertThat(Replay.consumedUpTo(progress, appId, noEvents)).isEmpty();
    }

    /**
     * Several partitions with gaps are read together: those whose gap holds only a commit marker, or only aborted
     * records and their marker, are consumed; the one with a committed record in its gap is not.
     */
    @Test
    void gapsOfSeveralPartitionsAreReadTogether() throws Exception {
        String appId = "agg-gaps";
        String events = "gaps.events";
        String repartition = appId + "-lem-by-experiment-repartition";
        kafka.createTopic(events, 1);
        kafka.createTopic(repartition, 4);
        TopicPartition[] tps = new TopicPartition[4];
        for (int p = 0; p < 4; p++) {
            tps[p] = new TopicPartition(repartition, p);
        }
        try (KafkaProducer<byte[], byte[]> producer = transactional(appId)) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int p : new int[] {0, 1, 3}) {
                for (int i = 0; i < 2; i++) {
                    producer.send(new ProducerRecord<>(repartition, p, null, bytes("summary-" + p + "-" + i)));
                }
            }
            producer.commitTransaction();
            producer.beginTransaction();
            for (int i = 0; i < 2; i++) {
                producer.send(new ProducerRecord<>(repartition, 2, null, bytes("aborted-" + i)));
            }
            producer.flush();
            producer.abortTransaction();
        }
        // every partition: two records and a marker (markers are written after the producer's call returns)
        List<TopicPartition> all = List.of(tps);
        Await.until(Duration.ofSeconds(30), "every commit and abort marker written",
                () -> progress.highWatermarks(all).values().stream().allMatch(end -> end == 3L));
        assertThat(progress.highWatermarks(all)).containsOnly(Map.entry(tps[0], 3L), Map.entry(tps[1], 3L),
                Map.entry(tps[2], 3L), Map.entry(tps[3], 3L));
        admin.alterConsumerGroupOffsets(appId, Map.of(tps[0], new OffsetAndMetadata(2L),
                tps[1], new OffsetAndMetadata(1L), tps[2], new OffsetAndMetadata(0L),
                tps[3], new OffsetAndMetadata(2L))).all().get();

        assertThat(Replay.consumedUpTo(progress, appId, Map.of(new TopicPartition(events, 0), 0L)))
                .as("only partition 1 has a committed record beyond the group's commit")
                .containsOnlyKeys(tps[1])
                .containsEntry(tps[1], "committed 1 of 3");
    }

    private static KafkaProducer<byte[], byte[]> transactional(String id) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
