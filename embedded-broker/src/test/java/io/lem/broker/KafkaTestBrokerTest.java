package io.lem.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lem.broker.testing.KafkaTestBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

// A separate thread, so a hung Kafka shutdown fails the test instead of hanging the build.
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KafkaTestBrokerTest {

    @TempDir
    Path tmp;

    /** The runner's scenario in small: one producer keeps its bootstrap address while the broker restarts under it. */
    @Test
    void producerOutlivesARestartAndNothingIsLost() throws Exception {
        try (KafkaTestBroker kafka = KafkaTestBroker.start(tmp)) {
            String bootstrap = kafka.bootstrapServers();
            String clusterId = kafka.kafka().clusterId();
            kafka.createTopic("events", 2);

            Map<String, Object> config = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("events", "k" + i, "value-" + i)).get(30, TimeUnit.SECONDS);
                }
                kafka.restart();
                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
                assertThat(kafka.kafka().clusterId()).isEqualTo(clusterId);
                for (int i = 10; i < 20; i++) {
                    producer.send(new ProducerRecord<>("events", "k" + i, "value-" + i)).get(30, TimeUnit.SECONDS);
                }
            }
            assertThat(EmbeddedKafkaTest.consumeValues(bootstrap, "events", 20))
                    .containsExactlyInAnyOrderElementsOf(EmbeddedKafkaTest.values(20));
        }
    }

    @Test
    void stopThenRestartStartsItAgain() {
        KafkaTestBroker kafka = KafkaTestBroker.start(tmp);
        try {
            kafka.stop();
            assertThat(kafka.isRunning()).isFalse();
            assertThatThrownBy(kafka::kafka).isInstanceOf(IllegalStateException.class);
            kafka.stop(); // already stopped: nothing to do

            kafka.restart();
            assertThat(kafka.isRunning()).isTrue();
            assertThat(kafka.kafka().port()).isEqualTo(kafka.settings().port());
        } finally {
            kafka.close();
        }
        assertThat(kafka.isRunning()).isFalse();
    }
}
