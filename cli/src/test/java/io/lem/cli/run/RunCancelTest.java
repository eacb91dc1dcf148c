package io.lem.cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.broker.testing.KafkaTestBroker;
import io.lem.cli.ExitCodes;
import io.lem.cli.LemMain;
import io.lem.runner.events.EventLogVerifier;
import io.lem.runner.events.KafkaTarget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ctrl-C on {@code lem run}, as a user presses it: the launcher runs in its own JVM with its two runner JVMs, and gets
 * a real SIGINT once the first measured batches are done. It must stop the runners, record the experiment as
 * cancelled with the partial results, print the summary, export results/ and exit 130, with no event lost.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class RunCancelTest {

    private static final Path QUICKSTART = Path.of(System.getProperty("user.dir"))
            .resolveSibling("configs").resolve("quickstart.yaml").toAbsolutePath();
    private static final Pattern EXPERIMENT = Pattern.compile("experiment (exp_\\S+):");
    private static final Pattern MEASURED_BATCHES = Pattern.compile("batches ([1-9]\\d*)/");
    private static final long TIMEOUT_SECONDS = 240;

    @TempDir
    static Path dir;
    private static KafkaTestBroker kafka;

    @BeforeAll
    static void start() {
        kafka = KafkaTestBroker.start(dir);
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void ctrlCStopsTheRunnersAndRecordsTheExperimentAsCancelledWithItsPartialResults() throws Exception {
        // far more work than the test waits for: it is cancelled long before the end
        Path prompts = dir.resolve("prompts.txt");
        Files.write(prompts, IntStream.range(0, 400).mapToObj(i -> "Tell me about the number " + i).toList());
        Path config = Files.writeString(dir.resolve("long.yaml"), "_extends: \"" + QUICKSTART + "\"\n"
                + "config_name: long\nnum_input_prompts: 400\nmax_output_tokens: 32\nmin_output_tokens: 32\nbatching_options:\n"
                + "  batch_size: 1\nenergy:\n  plugins: [ram-model]\n");
        Path results = dir.resolve("results");
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlem.home=" + dir.resolve("home"), "-cp", System.getProperty("java.class.path"),
                LemMain.class.getName(), "run", config.toString(), "--prompts", prompts.toString(),
                "--bootstrap-servers", kafka.bootstrapServers(), "--aggregator-url",
                "http://127.0.0.1:" + freePort(), "--results-dir", results.toString());
        Process launcher = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> firstBatches = new CompletableFuture<>();
        Thread reader = new Thread(() -> read(launcher, lines, firstBatches), "launcher-output");
        reader.setDaemon(true);
        reader.start();
        try {
            firstBatches.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(launcher.isAlive()).as("still running when Ctrl-C comes: %s", lines).isTrue();

            signal(launcher.pid(), "INT");

            assertThat(launcher.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("exits after Ctrl-C").isTrue();
        } finally {
            launcher.descendants().forEach(ProcessHandle::destroyForcibly);
            launcher.destroyForcibly();
        }
        reader.join(10_000);
        String out = String.join("\n", lines);
        assertThat(launcher.exitValue()).as(out).isEqualTo(ExitCodes.INTERRUPTED);
        assertThat(out).contains("cancelling: asking 2 runner(s) to record their partial results");
        Matcher m = EXPERIMENT.matcher(out);
        assertThat(m.find()).as(out).isTrue();
        String id = m.group(1);
        assertThat(out).contains("status       cancelled");

        ObjectMapper json = new ObjectMapper();
        JsonNode experiment = json.readTree(results.resolve("aggregated").resolve(id + ".json").toFile());
        assertThat(experiment.path("status").asText()).isEqualTo("cancelled");
        long outputTokens = experiment.path("output_tokens").asLong();
        assertThat(outputTokens).as("the partial results are kept").isPositive()
                .isLessThan(400L * 32);                              // and it really was cut short
        long perProcess = 0;
        for (int p = 0; p < 2; p++) {
            JsonNode process = json.readTree(results.resolve("raw").resolve(id).resolve("process_" + p + ".json")
                    .toFile());
            perProcess += process.path("output_tokens").asLong();
        }
        assertThat(perProcess).isEqualTo(outputTokens);
        // each runner's result line reached the launcher (its log ends with it), which then waited for the
        // aggregator to fold that runner's events up to the last seq the line names
        for (int p = 0; p < 2; p++) {
            List<String> log = Files.readAllLines(results.resolve("logs").resolve(id).resolve("process_" + p + ".log"));
            assertThat(log).as("log of process %d", p).isNotEmpty();
            assertThat(log.get(log.size() - 1)).startsWith("LEM-RESULT ").contains("\"status\":\"cancelled\"");
        }
        // each runner says it was cancelled, not that it failed, and what it drew until then is counted: local rank
        // 0's RAM meter covered the window up to where the runners stopped
        assertThat(experiment.path("processes_cancelled").asInt()).isEqualTo(2);
        assertThat(experiment.path("processes_failed").asInt()).isZero();
        assertThat(out).contains("0 failed, 2 cancelled");
        assertThat(experiment.path("total_energy_j").asDouble()).isPositive();
        JsonNode ram = experiment.path("energy_by_device").elements().next();
        assertThat(ram.path("window_coverage").asDouble()).isGreaterThanOrEqualTo(0.9);
        // nothing lost: every process's events (and the launcher's) are on the topic, gap-free and once each
        var report = new EventLogVerifier(KafkaTarget.of(kafka.bootstrapServers())).verify(id);
        assertThat(report.exact()).as(report.toString()).isTrue();
        assertThat(report.keys()).containsKeys(id + "/-1", id + "/0", id + "/1");
    }

    private static void read(Process launcher, List<String> lines, CompletableFuture<Void> firstBatches) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
                if (line.contains("processes started") && MEASURED_BATCHES.matcher(line).find()) {
                    firstBatches.complete(null);
                }
            }
            firstBatches.completeExceptionally(new AssertionError("the launcher ended before any batch: " + lines));
        } catch (IOException e) {
            firstBatches.completeExceptionally(e);
        }
    }

    private static void signal(long pid, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder(new ArrayList<>(List.of("kill", "-" + signal, Long.toString(pid))))
                .inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
