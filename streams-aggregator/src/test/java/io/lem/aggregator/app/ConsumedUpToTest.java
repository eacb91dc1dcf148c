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
    Path tmp;

    @Test
    void repartitionRecordsOfAnUndecidedTransactionAreNotConsumed() throws Exception {
        String appId = "agg-upto";
        String events = "upto.events";
        String repartition = appId + "-lem-by-experiment-repartition";
        try (KafkaTestBroker kafka = KafkaTestBroker.start(tmp.resolve("kafka"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers()));
             GroupProgress progress = new GroupProgress(admin, Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                     kafka.bootstrapServers()), Duration.ofSeconds(10))) {
            kafka.createTopic(events, 1);
            kafka.createTopic(repartition, 1);
            TopicPartition eventsTp = new TopicPartition(events, 0);
            TopicPartition repartitionTp = new TopicPartition(repartition, 0);
            Map<TopicPartition, Long> noEvents = Map.of(eventsTp, 0L);

            try (KafkaProducer<byte[], byte[]> producer = transactional(kafka.bootstrapServers())) {
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
    }

    private static KafkaProducer<byte[], byte[]> transactional(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "upto-test", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
