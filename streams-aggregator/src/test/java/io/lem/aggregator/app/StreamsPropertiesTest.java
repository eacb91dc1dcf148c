package io.lem.aggregator.app;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class StreamsPropertiesTest {
    private static final String MAIN_MAX_POLL =
            StreamsConfig.mainConsumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG);
    private static final HostInfo HOST = new HostInfo("127.0.0.1", 0);

    @Test
    void theMainConsumerPollsUpToFiveThousandRecordsByDefault() {
        Properties p = AggregatorApp.streamsProperties(AggregatorSettings.defaults("127.0.0.1:9092"), HOST);
        assertThat(p.get(MAIN_MAX_POLL)).isEqualTo(AggregatorApp.MAX_POLL_RECORDS);
        // Streams resolves the prefixed property for the main consumer over its own default of 1,000
        Map<String, Object> consumer = new StreamsConfig(p).getMainConsumerConfigs("g", "c", 0);
        assertThat(String.valueOf(consumer.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG))).isEqualTo("5000");
    }

    @Test
    void aUsersMaxPollRecordsWinsWhateverItsPrefix() {
        for (String key : new String[] {ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), MAIN_MAX_POLL}) {
            Properties p = AggregatorApp.streamsProperties(AggregatorSettings.defaults("127.0.0.1:9092")
                    .withClientProperties(Map.of(key, "250")), HOST);
            Map<String, Object> consumer = new StreamsConfig(p).getMainConsumerConfigs("g", "c", 0);
            assertThat(String.valueOf(consumer.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG))).as(key).isEqualTo("250");
        }
    }
}
