package io.lem.runner.events;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Reads a whole topic once: every partition from its beginning up to the end offsets captured when the scan starts.
 * It stops when every position reaches those offsets (no "quiet for a while" guess), and ignores anything written
 * after the scan started.
 */
final class TopicScanner {
    private static final Duration POLL = Duration.ofMillis(200);

    private TopicScanner() {
    }

    /**
     * @param noProgressTimeout how long the scan may go without advancing before it gives up
     * @return records visited
     * @throws IOException when Kafka does not answer, or the scan stops advancing
     */
    static long scan(KafkaTarget target, Duration noProgressTimeout, String clientId,
                     Consumer<ConsumerRecord<String, byte[]>> visitor) throws IOException {
        String topic = target.topic();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
                ClientProperties.consumer(target, noProgressTimeout, clientId))) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, noProgressTimeout);
            if (infos == null || infos.isEmpty()) {
                return 0;
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(info -> new TopicPartition(topic, info.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, noProgressTimeout);
            Set<TopicPartition> remaining = new HashSet<>(partitions);
            long visited = 0;
            long progress = -1;
            long lastProgress = System.nanoTime();
            while (true) {
                long positions = 0;
                for (TopicPartition partition : partitions) {
                    long position = consumer.position(partition, noProgressTimeout);
                    positions += position;
                    if (position >= end.get(partition) && remaining.contains(partition)) {
                        remaining.remove(partition);
                        consumer.pause(List.of(partition));
                    }
                }
                if (remaining.isEmpty()) {
                    return visited;
                }
                if (positions > progress) {
                    progress = positions;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > noProgressTimeout.toNanos()) {
                    throw new IOException("reading " + topic + " at " + target.bootstrapServers()
                            + " made no progress for " + noProgressTimeout.toMillis() + " ms; still to read: "
                            + remaining.stream().map(p -> p.partition() + " up to offset " + end.get(p))
                            .collect(Collectors.joining(", ")));
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    if (record.offset() < end.get(partition)) {
                        visitor.accept(record);
                        visited++;
                    }
                }
            }
        } catch (TimeoutException e) {
            throw new IOException("Kafka at " + target.bootstrapServers() + " did not answer within "
                    + noProgressTimeout.toMillis() + " ms: " + e.getMessage(), e);
        } catch (KafkaException e) {
            throw new IOException("cannot read " + topic + " at " + target.bootstrapServers() + ": " + e.getMessage(), e);
        }
    }
}
