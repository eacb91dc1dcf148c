package io.lem.aggregator.topology;

import io.lem.aggregator.model.ExperimentSummary;
import io.lem.aggregator.model.ProcessSummary;
import io.lem.aggregator.model.ResultsJson;
import io.lem.api.event.EventCodec;
import io.lem.api.event.LemEvent;
import io.lem.events.kafka.EventFrames;
import io.lem.events.kafka.LemTopics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The topology in a {@link TopologyTestDriver} with persistent stores under a temporary directory. */
final class Harness implements AutoCloseable {
    static final EventCodec CODEC = new EventCodec();

    final TopologyTestDriver driver;
    final TestInputTopic<String, byte[]> events;
    final TestOutputTopic<String, byte[]> deadLetters;

    Harness(Path stateDir) {
        this(stateDir, AggregatorConfig.defaults());
    }

    Harness(Path stateDir, AggregatorConfig config) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "lem-topology-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(LemTopology.build(config), props);
        events = driver.createInputTopic(config.eventsTopic(), new StringSerializer(), new ByteArraySerializer());
        deadLetters = driver.createOutputTopic(config.deadLetterTopic() == null ? LemTopics.DEAD_LETTERS
                : config.deadLetterTopic(), new StringDeserializer(), new ByteArrayDeserializer());
    }

    Harness send(LemEvent... list) {
        for (LemEvent e : list) {
            events.pipeInput(e.envelope().key(), CODEC.encode(e));
        }
        return this;
    }

    Harness send(Collection<? extends LemEvent> list) {
        return send(list.toArray(new LemEvent[0]));
    }

    /** The events (of one process, consecutive seqs) as one packed record, the way a runner's delivery sends them. */
    Harness sendPacked(List<? extends LemEvent> list) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        for (LemEvent e : list) {
            if (value.size() > 0) {
                value.write(EventFrames.SEPARATOR);
            }
            value.writeBytes(CODEC.encode(e));
        }
        LemEvent first = list.get(0);
        events.pipeInput(new TestRecord<>(first.envelope().key(), value.toByteArray(),
                EventFrames.headers(first.envelope().seq(), list.size())));
        return this;
    }

    KeyValueStore<String, ExperimentSummary> experiments() {
        return driver.getKeyValueStore(LemStores.EXPERIMENT_SUMMARIES);
    }

    KeyValueStore<String, ProcessSummary> processes() {
        return driver.getKeyValueStore(LemStores.PROCESS_SUMMARIES);
    }

    ExperimentSummary experiment(String id) {
        return experiments().get(id);
    }

    ProcessSummary process(String id, int index) {
        return processes().get(id + "/" + index);
    }

    Map<String, Object> results(String id) {
        ExperimentSummary e = experiment(id);
        if (e == null) {
            throw new AssertionError("no experiment " + id + " in the store");
        }
        return ResultsJson.experiment(e);
    }

    Map<String, Object> processResults(String id, int index) {
        return ResultsJson.process(process(id, index));
    }

    @Override
    public void close() {
        driver.close();
    }
}
