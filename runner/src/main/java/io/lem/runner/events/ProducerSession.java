package io.lem.runner.events;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One producer and what its callbacks reported. A new session replaces the old one after every failure, so late
 * callbacks of a discarded producer cannot be mistaken for the current one's.
 */
final class ProducerSession {

    /** The highest seq Kafka acknowledged, and the offset it was written at. */
    record Ack(long seq, long offset) {
    }

    private final KafkaProducer<String, byte[]> producer;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicReference<Ack> lastAck = new AtomicReference<>();

    ProducerSession(Map<String, Object> properties) {
        this.producer = new KafkaProducer<>(properties);
    }

    /** Loads the topic's metadata now, so that the first real send does not wait for it. */
    void warmUp(String topic) {
        producer.partitionsFor(topic);
    }

    void send(ProducerRecord<String, byte[]> record, long seq) {
        producer.send(record, (metadata, exception) -> {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            } else {
                Ack ack = new Ack(seq, metadata.offset());
                lastAck.accumulateAndGet(ack, (a, b) -> a == null || b.seq() > a.seq() ? b : a);
            }
        });
    }

    /** The first send failure, or null. */
    Exception failure() {
        return failure.get();
    }

    /** The highest acknowledged seq, or null. */
    Ack lastAck() {
        return lastAck.get();
    }

    /** Abandons whatever is in flight: the spool still holds it, and re-sending checks the topic first. */
    void closeNow() {
        producer.close(Duration.ZERO);
    }
}
