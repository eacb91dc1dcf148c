package io.lem.cli.serve;

import io.lem.broker.testing.KafkaTestBroker;
import io.lem.cli.CliRun;
import io.lem.cli.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs {@code lem serve} as a real process against a real broker, queries it, stops it with a signal. */
class ServeCommandTest {

    private static final Pattern SERVING = Pattern.compile("lem aggregator serving (http://\\S+) ");

    @TempDir
    Path dir;

    @Test
    void servesResultsOverHttpUntilSignalled() throws Exception {
        try (KafkaTestBroker kafka = KafkaTestBroker.start(dir)) {
            Path log = dir.resolve("serve.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process serve = new ProcessBuilder(java, "-Dlem.home=" + dir.resolve("home"), "-cp",
                    System.getProperty("java.class.path"), "io.lem.cli.LemMain", "serve", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--bind", "127.0.0.1:0", "--state-dir", dir.resolve("state").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                String url = awaitServing(serve, log);
                HttpResponse<String> health = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                CliRun list = CliRun.of("results", "list", "--aggregator-url", url);
                assertThat(list.exitCode()).as(list.err()).isZero();
                assertThat(list.out()).contains("no experiments yet");
            } finally {
                serve.destroy(); // SIGTERM runs the same shutdown hook as Ctrl-C
                assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(Files.readString(log)).contains("lem aggregator stopped.");
        }
    }

    @Test
    void badBindIsOneLine() {
        CliRun run = CliRun.of("serve", "--bind", "localhost", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).isEqualTo("lem: --bind: expected HOST:PORT, e.g. 127.0.0.1:7070, was 'localhost'"
                + System.lineSeparator());
    }

    @Test
    void zeroStreamThreadsIsOneLine() {
        CliRun run = CliRun.of("serve", "--stream-threads", "0", "--bootstrap-servers", "127.0.0.1:1");
        assertThat(run.exitCode()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(run.err()).isEqualTo("lem: --stream-threads must be >= 1, was 0" + System.lineSeparator());
    }

    private static String awaitServing(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            Matcher m = SERVING.matcher(Files.readString(log));
            if (m.find()) {
                return m.group(1);
            }
            if (!process.isAlive()) {
                throw new AssertionError("lem serve exited early:\n" + Files.readString(log));
            }
            process.waitFor(100, TimeUnit.MILLISECONDS); // polls the condition
        }
        throw new AssertionError("lem serve not ready:\n" + Files.readString(log));
    }
}
