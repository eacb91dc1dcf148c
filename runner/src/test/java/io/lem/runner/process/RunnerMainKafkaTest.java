package io.lem.runner.process;

import io.lem.broker.testing.KafkaTestBroker;
import io.lem.runner.events.EventLogVerifier;
import io.lem.runner.events.KafkaTarget;
import io.lem.runner.events.KeySummary;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link RunnerMain} with its production sink: a Kafka cluster given by {@code --bootstrap-servers}. */
@Timeout(120)
class RunnerMainKafkaTest {

    @TempDir
    static Path brokerDir;
    private static KafkaTestBroker broker;

    @TempDir
    Path dir;

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
    void eventsReachTheConfiguredTopicCompleteAndTheSpoolIsRemoved() throws Exception {
        Path config = RunnerTestSupport.writeConfig(dir, "num_input_prompts: 2\nkafka:\n  topic: runner.main.test\n"
                + "  partitions: 2\n");
        Path lemHome = dir.resolve("home");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = RunnerMain.run(new String[]{"--config", config.toString(), "--experiment-id", "exp-kafka",
                        "--bootstrap-servers", broker.bootstrapServers(), "--lem-home", lemHome.toString()},
                RunnerTestSupport.ENV, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);

        assertThat(exit).as("stderr: %s", err).isZero();
        String result = out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith(RunnerMain.RESULT_PREFIX))
                .findFirst().orElseThrow();
        long lastSeq = Long.parseLong(result.replaceAll(".*\"lastSeq\":(\\d+).*", "$1"));
        KeySummary summary = new EventLogVerifier(KafkaTarget.of(broker.bootstrapServers())
                .withTopic("runner.main.test")).verify("exp-kafka").key("exp-kafka/0");
        assertThat(summary.count()).isEqualTo(lastSeq + 1);
        assertThat(summary.declaredLastSeq()).as("ProcessCompleted arrived").isEqualTo(lastSeq);
        assertThat(summary.exact()).as("gap-free, no duplicates").isTrue();
        try (Stream<Path> spool = Files.exists(lemHome.resolve("spool")) ? Files.list(lemHome.resolve("spool"))
                : Stream.empty()) {
            assertThat(spool).as("a delivered spool is deleted").isEmpty();
        }
    }
}
