package io.lem.runner.events;

import io.lem.broker.testing.KafkaTestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import io.lem.events.kafka.EventFrames;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The spool as the way back: a sink that cannot reach Kafka leaves one, and a later sink or the importer delivers it. */
@Timeout(60)
class KafkaEventSinkRecoveryTest {
    @TempDir
    static Path brokerDir;
    private static KafkaTestBroker broker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() {
        broker = KafkaTestBroker.start(brokerDir);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void streamsVerifiesAndRemovesTheSpool() throws Exception {
        KafkaTarget target = live("recovery.stream");
        KafkaSinkSettings settings = KafkaSinkSettings.defaults(target, tmp.resolve("spool"));
        KafkaEventSink sink = KafkaEventSink.open(settings, "stream", 0);
        EventEmitter emitter = new EventEmitter("stream", 0, "h", sink);
        TestEvents.emitMixed(emitter, 2_000);
        sink.flush();
        Conditions.await("every event read back from the topic", Duration.ofSeconds(30),
                () -> sink.status().allVerified());
        assertThat(sink.status().state()).isEqualTo(SinkStatus.State.STREAMING);
        // Verified lines are cut off the spool at the next housekeeping tick.
        Conditions.await("the verified spool to be truncated", Duration.ofSeconds(10),
                () -> sizeOf(sink.spoolFile()) == 0);
        sink.close();
        assertThat(sink.spoolFile()).doesNotExist();

        KeySummary summary = new EventLogVerifier(target).verify("stream").key("stream/0");
        assertThat(summary.count()).isEqualTo(2_000);
        assertThat(summary.exact()).isTrue();
        // consecutive events go out packed; every record names its first seq and its count in headers, the seqs its
        // lines hold, and stays under the size bound
        EventCodec codec = new EventCodec();
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        TopicScanner.scan(target, Duration.ofSeconds(10), "test-scan", records::add);
        long events = 0;
        int largest = 0;
        for (ConsumerRecord<String, byte[]> record : records) {
            long first = EventFrames.firstSeq(record.headers());
            int count = EventFrames.declaredCount(record.headers());
            assertThat(first).as("seq header of offset %d", record.offset()).isEqualTo(events);
            List<Long> seqs = new ArrayList<>();
            EventFrames.forEachEvent(record.headers(), record.value(), (value, offset, length, line) -> {
                try {
                    seqs.add(codec.decode(value, offset, length).envelope().seq());
                } catch (EventFormatException e) {
                    throw new AssertionError(e);
                }
            });
            assertThat(seqs).as("offset %d", record.offset()).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(seqs.get(i)).isEqualTo(first + i);
            }
            assertThat(record.value().length).isLessThanOrEqualTo(KafkaSinkSettings.MAX_RECORD_BYTES);
            events += count;
            largest = Math.max(largest, count);
        }
        assertThat(events).isEqualTo(2_000);
        assertThat(records.size()).as("records for 2,000 events").isLessThan(100);
        assertThat(largest).isGreaterThan(100);
    }

    @Test
    void theImporterRecognisesEventsWrittenWithoutTheSeqHeader() throws Exception {
        List<String> lines = TestEvents.mixedLines("legacy", 100);
        Path file = tmp.resolve("legacy.jsonl");
        Files.write(file, lines);
        KafkaTarget target = live("recovery.legacy");
        writeWithoutSeqHeader(target, "legacy/0", lines.subList(0, 60));

        ImportReport report = new EventImporter(target).importPaths(List.of(file));
        assertThat(report.alreadyPresent()).isEqualTo(60);
        assertThat(report.sent()).isEqualTo(40);
        KeySummary summary = new EventLogVerifier(target).verify("legacy").key("legacy/0");
        assertThat(summary.count()).isEqualTo(100);
        assertThat(summary.exact()).isTrue();
    }

    @Test
    void theNextSinkSkipsLeftoverEventsAlreadyInTheTopicEvenWithoutTheSeqHeader() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        KafkaSinkSettings unreachable = quick(unreachable("recovery.found"), spoolDir);
        KafkaEventSink first = KafkaEventSink.open(unreachable, "found", 0);
        EventEmitter emitter = new EventEmitter("found", 0, "h", first);
        TestEvents.emitMixed(emitter, 100);
        try (CapturedLogs logs = new CapturedLogs(KafkaEventSink.class)) {
            first.close();
        }
        List<String> spooled = Files.readAllLines(first.spoolFile());
        assertThat(spooled).hasSize(100);

        // The first 60 made it into the topic after all, as an older lem wrote them: the value alone, no header.
        KafkaTarget target = live("recovery.found");
        writeWithoutSeqHeader(target, "found/0", spooled.subList(0, 60));

        KafkaEventSink second = KafkaEventSink.open(unreachable.withTarget(target)
                .withCloseTimeout(Duration.ofSeconds(30)), "found", 0);
        EventEmitter resumed = new EventEmitter("found", 0, "h", second, emitter.nextSeq());
        resumed.emit(TestEvents::completed);
        second.close();
        assertThat(second.status().verifiedSeq()).isEqualTo(100);

        // had the read-back not recognised the 60 header-less records, it would have sent them again
        KeySummary summary = new EventLogVerifier(target).verify("found").key("found/0");
        assertThat(summary.count()).isEqualTo(101);
        assertThat(summary.duplicates()).isZero();
        assertThat(summary.exact()).isTrue();
    }

    @Test
    void aSinkClosedWhileKafkaIsUnreachableLeavesASpoolTheNextSinkDelivers() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        KafkaSinkSettings unreachable = quick(unreachable("recovery.next"), spoolDir);
        KafkaEventSink first = KafkaEventSink.open(unreachable, "next", 0);
        EventEmitter emitter = new EventEmitter("next", 0, "h", first);
        TestEvents.emitMixed(emitter, 300);
        first.flush();
        assertThat(Files.readAllLines(first.spoolFile())).hasSize(300);
        try (CapturedLogs logs = new CapturedLogs(KafkaEventSink.class)) {
            first.close();
            assertThat(logs.messages("WARN")).anySatisfy(m -> assertThat(m)
                    .contains("300 events of next/0 (seq 0..299)")
                    .contains("lem events import " + first.spoolFile()));
        }
        assertThat(first.status().state()).isEqualTo(SinkStatus.State.CLOSED);
        assertThat(Files.readAllLines(first.spoolFile())).hasSize(300);

        // The process comes back (same key) with Kafka reachable: the old spool goes in first, then the new events.
        KafkaTarget target = live("recovery.next");
        KafkaEventSink second = KafkaEventSink.open(unreachable.withTarget(target)
                .withCloseTimeout(Duration.ofSeconds(30)), "next", 0);
        EventEmitter resumed = new EventEmitter("next", 0, "h", second, emitter.nextSeq());
        TestEvents.emitMixed(resumed, 199);
        resumed.emit(TestEvents::completed);
        second.close();
        assertThat(second.status().verifiedSeq()).isEqualTo(499);
        assertThat(filesIn(spoolDir)).isEmpty();

        KeySummary summary = new EventLogVerifier(target).verify("next").key("next/0");
        assertThat(summary.count()).isEqualTo(500);
        assertThat(summary.declaredLastSeq()).isEqualTo(499);
        assertThat(summary.exact()).isTrue();
    }

    @Test
    void theImporterDeliversTheSpoolOfACrashedProcessExactlyOnce() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        KafkaEventSink sink = KafkaEventSink.open(quick(unreachable("recovery.crash"), spoolDir), "crash", 1);
        EventEmitter emitter = new EventEmitter("crash", 1, "h", sink);
        TestEvents.emitMixed(emitter, 150);
        sink.close();
        Path spool = sink.spoolFile();
        // A crash mid-write leaves a last line without its end.
        Files.writeString(spool, "{\"v\":1,\"type\":\"PowerSam", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        KafkaTarget target = live("recovery.crash");
        EventImporter importer = new EventImporter(target);
        ImportReport first = importer.importPaths(List.of(spoolDir));
        assertThat(first.eventsRead()).isEqualTo(150);
        assertThat(first.sent()).isEqualTo(150);
        assertThat(first.alreadyPresent()).isZero();
        assertThat(first.malformed()).singleElement().satisfies(m -> assertThat(m)
                .startsWith(spool + ":151: malformed event: not valid JSON")
                .contains("no line break"));

        ImportReport second = importer.importPaths(List.of(spool));
        assertThat(second.sent()).isZero();
        assertThat(second.alreadyPresent()).isEqualTo(150);
        assertThat(second.complete()).isTrue();

        KeySummary summary = new EventLogVerifier(target).verify("crash").key("crash/1");
        assertThat(summary.count()).isEqualTo(150);
        assertThat(summary.exact()).isTrue();
    }

    @Test
    void aSupervisorDeliversWhatADeadSinkLeftExactlyOnce() throws Exception {
        Path spoolDir = tmp.resolve("spool");
        KafkaTarget target = live("recovery.dead");
        // what a runner killed outright leaves: part of its events in the topic, all of them in its spool
        KafkaEventSink dead = KafkaEventSink.open(quick(unreachable("recovery.dead"), spoolDir), "dead", 2);
        EventEmitter emitter = new EventEmitter("dead", 2, "h", dead);
        TestEvents.emitMixed(emitter, 120);
        dead.close();
        Path spool = dead.spoolFile();
        assertThat(spool).exists();
        List<String> lines = Files.readAllLines(spool);
        writeWithoutSeqHeader(target, "dead/2", lines.subList(0, 50));
        KafkaSinkSettings settings = KafkaSinkSettings.defaults(target, spoolDir);
        assertThat(KafkaEventSink.deliverLeftovers(settings, "dead", 3).found()).as("another process's").isEmpty();

        KafkaEventSink.Leftovers left = KafkaEventSink.deliverLeftovers(settings, "dead", 2);

        assertThat(left.found()).singleElement().isEqualTo(spool);
        assertThat(left.remaining()).isEmpty();
        try (Stream<Path> files = Files.list(spoolDir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".jsonl"))).isEmpty();
        }
        KeySummary summary = new EventLogVerifier(target).verify("dead").key("dead/2");
        assertThat(summary.count()).isEqualTo(120);
        assertThat(summary.exact()).isTrue();
        assertThat(KafkaEventSink.deliverLeftovers(settings, "dead", 2).found()).as("nothing left").isEmpty();
    }

    /** Creates the topic and writes {@code lines} on {@code key} as lem did before the seq header: the value alone. */
    private static void writeWithoutSeqHeader(KafkaTarget target, String key, List<String> lines) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            EventTopic.ensure(admin, target, Duration.ofSeconds(30));
        }
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(),
                new ByteArraySerializer())) {
            for (String line : lines) {
                producer.send(new ProducerRecord<>(target.topic(), EventTopic.partitionFor(key, target.partitions()), key,
                        line.getBytes(StandardCharsets.UTF_8))).get();
            }
        }
    }

    private static KafkaTarget live(String topic) {
        return KafkaTarget.of(broker.bootstrapServers()).withTopic(topic).withPartitions(2);
    }

    /** A port nothing listens on: connections are refused at once. */
    private static KafkaTarget unreachable(String topic) throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return KafkaTarget.of("127.0.0.1:" + socket.getLocalPort()).withTopic(topic);
        }
    }

    private static KafkaSinkSettings quick(KafkaTarget target, Path spoolDir) {
        return KafkaSinkSettings.defaults(target, spoolDir)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500))
                .withCloseTimeout(Duration.ofSeconds(1));
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }
}
