package io.lem.cli.events;

import io.lem.broker.testing.KafkaTestBroker;
import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lem events import|verify} against a real embedded broker. */
class EventsCommandTest {

    private static final Path SAMPLE = Path.of(System.getProperty("user.dir"))
            .resolveSibling("examples/events/sample-experiment.jsonl");

    @TempDir
    static Path dir;
    private static KafkaTestBroker kafka;

    @BeforeAll
    static void startBroker() {
        kafka = KafkaTestBroker.start(dir);
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void importIsIdempotentAndVerifyProvesEveryProcessComplete() {
        CliRun first = run("events", "import", SAMPLE.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("22 events read, 22 sent, 0 already present, 0 failed");

        CliRun again = run("events", "import", SAMPLE.toString());
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("22 events read, 0 sent, 22 already present, 0 failed");

        CliRun verify = run("events", "verify", "--experiment", "exp_20261128_090000_demo");
        assertThat(verify.exitCode()).as(verify.out()).isZero();
        assertThat(verify.out()).containsPattern("exp_20261128_090000_demo/-1\\s+2\\s+0\\s+1\\s+-")
                .containsPattern("exp_20261128_090000_demo/0\\s+10\\s+0\\s+9\\s+-")
                .containsPattern("exp_20261128_090000_demo/1\\s+10\\s+0\\s+9\\s+-")
                .contains("every process exactly once, no gaps");
    }

    @Test
    void verifyReportsMissingSeqsAndMalformedLinesAreNamedButTheRestIsImported() throws IOException {
        List<String> lines = Files.readAllLines(SAMPLE).stream()
                .map(line -> line.replace("exp_20261128_090000_demo", "exp_gappy"))
                .collect(Collectors.toList());
        lines.remove(4); // process 0, seq 3
        lines.remove(4); // process 0, seq 4
        lines.add(2, "{\"type\": \"BatchStarted\", oops");
        Path gappy = Files.write(dir.resolve("gappy.jsonl"), lines);

        CliRun imported = run("events", "import", gappy.toString());
        assertThat(imported.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(imported.err()).startsWith(gappy + ":3: malformed event: not valid JSON");
        assertThat(imported.out()).contains("20 events read, 20 sent", "1 malformed line(s) skipped");

        CliRun verify = run("events", "verify", "--experiment", "exp_gappy");
        assertThat(verify.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(verify.out()).containsPattern("exp_gappy/0\\s+8\\s+0\\s+9\\s+3\\.\\.4")
                .contains("1 with gaps or duplicates");
    }

    @Test
    void unknownExperimentHasNoEvents() {
        CliRun verify = run("events", "verify", "--experiment", "exp_nope");
        assertThat(verify.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(verify.out()).isEqualTo("no events of experiment exp_nope in lem.events.v1"
                + System.lineSeparator());
    }

    @Test
    void missingFileIsOneLineAndNothingIsStarted() {
        CliRun run = CliRun.of("events", "import", dir.resolve("nope.jsonl").toString(),
                "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).isEqualTo("lem: no such file or directory: " + dir.resolve("nope.jsonl")
                + System.lineSeparator());
    }

    private static CliRun run(String... args) {
        String[] withBroker = java.util.Arrays.copyOf(args, args.length + 2);
        withBroker[args.length] = "--bootstrap-servers";
        withBroker[args.length + 1] = kafka.bootstrapServers();
        return CliRun.of(withBroker);
    }
}
