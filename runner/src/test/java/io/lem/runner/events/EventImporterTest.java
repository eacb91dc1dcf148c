package io.lem.runner.events;

import io.lem.api.event.Envelope;
import io.lem.api.event.EventCodec;
import io.lem.broker.testing.KafkaTestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class EventImporterTest {
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
    void importingAFileTwiceAddsNothingTheSecondTime() throws Exception {
        Path file = tmp.resolve("offline.jsonl");
        try (FileEventSink sink = FileEventSink.open(file)) {
            EventEmitter p0 = new EventEmitter("offline", 0, "h", sink);
            EventEmitter p1 = new EventEmitter("offline", 1, "h", sink);
            for (int i = 0; i < 500; i++) {
                long n = i;
                p0.emit(env -> TestEvents.mixed(env, n));
                p1.emit(env -> TestEvents.mixed(env, n));
            }
        }
        KafkaTarget target = KafkaTarget.of(broker.bootstrapServers()).withTopic("import.twice").withPartitions(3);
        EventImporter importer = new EventImporter(target);

        ImportReport first = importer.importPaths(List.of(file));
        assertThat(first.eventsRead()).isEqualTo(1_000);
        assertThat(first.sent()).isEqualTo(1_000);
        assertThat(first.malformed()).isEmpty();
        ImportReport second = importer.importPaths(List.of(file, file));
        assertThat(second.eventsRead()).isEqualTo(2_000);
        assertThat(second.sent()).isZero();
        assertThat(second.alreadyPresent()).isEqualTo(2_000);

        EventLogReport report = new EventLogVerifier(target).verify();
        assertThat(report.records()).isEqualTo(1_000);
        assertThat(report.keys()).containsOnlyKeys("offline/0", "offline/1");
        assertThat(report.keys().values()).allSatisfy(k -> {
            assertThat(k.count()).isEqualTo(500);
            assertThat(k.exact()).isTrue();
        });
    }

    @Test
    void aProcessFileGoesOutPackedAroundTheSeqsAlreadyThere() throws Exception {
        List<String> lines = TestEvents.mixedLines("packed", 1_000);
        Path middle = tmp.resolve("middle.jsonl");
        Files.write(middle, lines.subList(100, 200));
        Path all = tmp.resolve("all.jsonl");
        Files.write(all, lines);
        KafkaTarget target = KafkaTarget.of(broker.bootstrapServers()).withTopic("import.packed").withPartitions(2);
        EventImporter importer = new EventImporter(target);

        assertThat(importer.importPaths(List.of(middle)).sent()).isEqualTo(100);
        ImportReport report = importer.importPaths(List.of(all));
        assertThat(report.sent()).isEqualTo(900);
        assertThat(report.alreadyPresent()).isEqualTo(100);
        assertThat(report.failed()).isZero();

        EventLogReport log = new EventLogVerifier(target).verify("packed");
        assertThat(log.events()).isEqualTo(1_000);
        assertThat(log.key("packed/0").exact()).isTrue();
        // seqs 100-199 in one record, then 0-99 and 200-999 in runs of up to 64 KiB
        assertThat(log.records()).isBetween(3L, 20L);
    }

    @Test
    void malformedLinesAreReportedWithFileAndLineAndTheRestIsImported() throws Exception {
        EventCodec codec = new EventCodec();
        String unknownType = "{\"v\":2,\"type\":\"KvCacheSample\",\"eventId\":\"e-3\",\"experimentId\":\"bad\","
                + "\"processIndex\":0,\"seq\":3,\"host\":\"h\",\"timeEpochNanos\":1,\"monoNanos\":1,\"blocks\":7}";
        Path file = tmp.resolve("mixed.jsonl");
        Files.write(file, List.of(
                codec.encodeToString(TestEvents.mixed(Envelope.now("bad", 0, 0, "h"), 0)),
                "this is not json",
                codec.encodeToString(TestEvents.mixed(Envelope.now("bad", 0, 1, "h"), 1)),
                "{\"type\":\"PowerSample\",\"deviceKey\":\"gpu:0\"}",
                "",
                codec.encodeToString(TestEvents.mixed(Envelope.now("bad", 0, 2, "h"), 2)),
                unknownType));
        KafkaTarget target = KafkaTarget.of(broker.bootstrapServers()).withTopic("import.malformed");

        ImportReport report = new EventImporter(target).importPaths(List.of(file));
        assertThat(report.eventsRead()).isEqualTo(4);
        assertThat(report.sent()).isEqualTo(4);
        assertThat(report.malformed()).hasSize(2);
        assertThat(report.malformed().get(0)).startsWith(file + ":2: malformed event: not valid JSON");
        assertThat(report.malformed().get(1)).startsWith(file + ":4: malformed PowerSample event: envelope field 'v'");

        EventLogReport log = new EventLogVerifier(target).verify("bad");
        assertThat(log.unknownTypes()).isEqualTo(1);
        assertThat(log.key("bad/0").count()).isEqualTo(4);
        assertThat(log.key("bad/0").exact()).isTrue();
    }

    @Test
    void aMissingFileIsAnErrorBeforeAnythingIsSent() {
        KafkaTarget target = KafkaTarget.of(broker.bootstrapServers()).withTopic("import.missing");
        assertThatThrownBy(() -> new EventImporter(target).importPaths(List.of(tmp.resolve("nope.jsonl"))))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("nope.jsonl");
    }
}
