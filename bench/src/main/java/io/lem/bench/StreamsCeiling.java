package io.lem.bench;

import io.lem.aggregator.app.AggregatorApp;
import io.lem.aggregator.app.AggregatorSettings;
import io.lem.api.event.DecodeResult;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import io.lem.events.kafka.EventFrames;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.HostInfo;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The least any Kafka Streams application can do with the events under the aggregator's own settings: one processor
 * that decodes each record with {@link EventCodec} and counts it per key in a map, exactly what the plain-consumer
 * baseline does, with no state store, changelog, repartition or output. Started with
 * {@link AggregatorApp#streamsProperties} (exactly_once_v2, the same poll size, commit interval and task idling), it
 * shows what the framework itself costs next to a plain consumer: no topology run by Streams on these settings can
 * fold faster, so its ratio to the baseline bounds the aggregator's.
 */
final class StreamsCeiling implements AutoCloseable {
    private final KafkaStreams streams;
    private final LongAdder events = new LongAdder();
    private final LongAdder malformed = new LongAdder();

    private StreamsCeiling(Properties properties, String topic) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream(topic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("ceiling-events"))
                .process(() -> new DecodeAndCount(events, malformed));
        streams = new KafkaStreams(builder.build(), properties);
    }

    /** Starts it with the aggregator's Streams properties for {@code settings}, and waits until it is RUNNING. */
    static StreamsCeiling start(AggregatorSettings settings, Duration timeout) throws InterruptedException {
        Properties p = AggregatorApp.streamsProperties(settings, new HostInfo("127.0.0.1", 1));
        p.remove(StreamsConfig.APPLICATION_SERVER_CONFIG); // nothing to query
        StreamsCeiling ceiling = new StreamsCeiling(p, settings.eventsTopic());
        ceiling.streams.cleanUp();
        ceiling.streams.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ceiling.streams.state() != KafkaStreams.State.RUNNING) {
            KafkaStreams.State state = ceiling.streams.state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                    || System.nanoTime() - deadline > 0) {
                ceiling.close();
                throw new IllegalStateException("the Streams ceiling did not reach RUNNING: " + state);
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return ceiling;
    }

    KafkaStreams.State state() {
        return streams.state();
    }

    /** Records decoded so far (may exceed what was committed: a task can re-process after a restart). */
    long events() {
        return events.sum();
    }

    long malformed() {
        return malformed.sum();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        streams.cleanUp();
    }

    /** Decode and count, as the baseline's loop body does. */
    private static final class DecodeAndCount implements Processor<String, byte[], Void, Void> {
        private final EventCodec codec = new EventCodec();
        private final Map<String, long[]> perKey = new HashMap<>();
        private final LongAdder events;
        private final LongAdder malformed;

        DecodeAndCount(LongAdder events, LongAdder malformed) {
            this.events = events;
            this.malformed = malformed;
        }

        @Override
        public void process(Record<String, byte[]> record) {
            long[] counters = perKey.computeIfAbsent(record.key(), k -> new long[2]);
            events.add(EventFrames.forEachEvent(record.headers(), record.value(), (value, offset, length, line) -> {
                try {
                    DecodeResult d = codec.decode(value, offset, length);
                    counters[0]++;
                    counters[1] = Math.max(counters[1], d.envelope().seq());
                } catch (EventFormatException e) {
                    malformed.increment();
                }
            }));
        }
    }
}
