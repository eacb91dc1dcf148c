package io.lem.runner.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.api.event.BatchCompleted;
import io.lem.api.event.LemEvent;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import io.lem.api.event.ProcessStarted;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.lem.runner.process.RunnerTestSupport.assertWellFormedStream;
import static io.lem.runner.process.RunnerTestSupport.ofType;
import static io.lem.runner.process.RunnerTestSupport.readEvents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link RunnerMain} as the launcher starts it: a child JVM on the test class path. */
class RunnerMainTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Shared so that the tiny model is synthesized once for the class. */
    @TempDir
    static Path lemHome;

    @TempDir
    Path dir;

    /** A started child JVM with its stdout and stderr collected line by line. */
    private static final class Child {
        final Process process;
        final List<String> out = Collections.synchronizedList(new ArrayList<>());
        final List<String> err = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch firstRunBatch = new CountDownLatch(1);
        private final CompletableFuture<Void> outDone;
        private final CompletableFuture<Void> errDone;

        Child(List<String> args, Map<String, String> env) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:TieredStopAtLevel=1", "-Dai.djl.offline=true",
                    "-Dai.djl.pytorch.num_threads=1",
                    "-cp", System.getProperty("java.class.path"), RunnerMain.class.getName()));
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().remove("HF_TOKEN");
            builder.environment().remove("RANK");
            builder.environment().remove("WORLD_SIZE");
            builder.environment().remove("LOCAL_RANK");
            builder.environment().put("HF_HUB_OFFLINE", "1");
            builder.environment().putAll(env);
            process = builder.start();
            outDone = CompletableFuture.runAsync(() -> drain(new BufferedReader(new InputStreamReader(
                    process.getInputStream(), StandardCharsets.UTF_8)), out, true));
            errDone = CompletableFuture.runAsync(() -> drain(new BufferedReader(new InputStreamReader(
                    process.getErrorStream(), StandardCharsets.UTF_8)), err, false));
        }

        private void drain(BufferedReader reader, List<String> into, boolean watch) {
            try (reader) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    into.add(line);
                    if (watch && line.startsWith(RunnerMain.PROGRESS_PREFIX) && line.contains("\"phase\":\"run\"")) {
                        firstRunBatch.countDown();
                    }
                }
            } catch (IOException e) {
                into.add("<read failed: " + e + ">");
            }
        }

        int waitFor(int seconds) throws Exception {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the runner did not exit within " + seconds + " s; stdout: " + out
                        + "; stderr: " + err);
            }
            outDone.get(10, TimeUnit.SECONDS);
            errDone.get(10, TimeUnit.SECONDS);
            return process.exitValue();
        }

        List<JsonNode> lines(String prefix) throws IOException {
            List<JsonNode> nodes = new ArrayList<>();
            for (String line : new ArrayList<>(out)) {
                if (line.startsWith(prefix)) {
                    nodes.add(JSON.readTree(line.substring(prefix.length())));
                }
            }
            return nodes;
        }

        List<String> errorLines() {
            return err.stream().filter(l -> l.startsWith(RunnerMain.ERROR_PREFIX)).toList();
        }
    }

    @Test
    void aChildRunnerWritesItsEventsAndProgressAndExitsZero() throws Exception {
        Path config = RunnerTestSupport.writeConfig(dir, "num_input_prompts: 5\nwarmup_batches: 1\n"
                + "batching_options:\n  batch_size: 2\n");
        Path events = dir.resolve("events/exp-child.jsonl");

        // the place in the experiment comes from torchrun's variables when the flags are absent
        Child child = new Child(List.of("--config", config.toString(), "--experiment-id", "exp-child",
                "--events-file", events.toString(), "--lem-home", lemHome.toString(),
                "--results-dir", dir.resolve("results").toString()),
                Map.of("RANK", "1", "WORLD_SIZE", "2", "LOCAL_RANK", "1"));
        int exit = child.waitFor(120);

        assertThat(exit).as("stderr: %s", child.err).isZero();
        assertThat(child.errorLines()).isEmpty();
        List<LemEvent> stream = readEvents(events);
        assertWellFormedStream(stream, "exp-child", 1);
        ProcessStarted started = (ProcessStarted) stream.get(0);
        assertThat(started.numProcesses()).isEqualTo(2);
        assertThat(started.localRank()).isEqualTo(1);
        ProcessCompleted completed = (ProcessCompleted) stream.get(stream.size() - 1);
        assertThat(completed.batches()).isEqualTo(1); // prompts 1 and 3 in one batch of 2
        assertThat(ofType(stream, BatchCompleted.class)).extracting(BatchCompleted::warmup).containsExactly(true,
                false);

        List<JsonNode> progress = child.lines(RunnerMain.PROGRESS_PREFIX);
        assertThat(progress).extracting(n -> n.get("phase").asText()).containsExactly("started", "warmup", "run");
        JsonNode last = progress.get(progress.size() - 1);
        assertThat(last.get("process").asInt()).isEqualTo(1);
        assertThat(last.get("batch").asInt()).isEqualTo(1);
        assertThat(last.get("batches").asInt()).isEqualTo(1);
        assertThat(last.get("outputTokens").asLong()).isEqualTo(completed.outputTokens());
        assertThat(last.get("elapsedNanos").asLong()).isPositive();
        assertThat(last.get("powerWatts").isObject()).as("latest watts per device, for the live progress").isTrue();
        assertThat(child.lines(RunnerMain.RESULT_PREFIX)).singleElement().satisfies(r -> {
            assertThat(r.get("status").asText()).isEqualTo("completed");
            assertThat(r.get("lastSeq").asLong()).isEqualTo(completed.lastSeq());
            assertThat(r.get("error").isNull()).isTrue();
        });
    }

    @Test
    void anInvalidConfigExitsTwoWithOneLineOnStderr() throws Exception {
        Path config = dir.resolve("bad.yaml");
        Files.writeString(config, "config_name: bad\nmodel_name: lem-synthetic/tiny-llama\nmax_output_tokens: -3\n"
                + "batching_options:\n  batch_size: 0\n");
        Path events = dir.resolve("events.jsonl");

        Child child = new Child(List.of("--config", config.toString(), "--experiment-id", "exp-bad",
                "--events-file", events.toString(), "--lem-home", lemHome.toString()), Map.of());

        assertThat(child.waitFor(60)).isEqualTo(RunnerMain.EXIT_INVALID_INPUT);
        assertThat(child.errorLines()).singleElement().asString().startsWith("lem runner: " + config + ":3: ")
                .contains("max_output_tokens").contains("batching_options.batch_size");
        assertThat(events).as("nothing started").doesNotExist();
        assertThat(child.lines(RunnerMain.RESULT_PREFIX)).isEmpty();
    }

    @Test
    void aLocalRankBeyondTheLocalWorldSizeIsRefusedBeforeAnythingStarts() throws Exception {
        Path config = RunnerTestSupport.writeConfig(dir, "");
        Path events = dir.resolve("events-rank.jsonl");
        RunnerArgs args = RunnerArgs.parse("--config", config.toString(), "--experiment-id", "exp-rank",
                "--events-file", events.toString(), "--lem-home", lemHome.toString(), "--local-rank", "2");

        assertThatThrownBy(() -> RunnerMain.prepare(args, Map.of("LOCAL_WORLD_SIZE", "2"), System.out))
                .isInstanceOf(RunnerArgs.UsageException.class)
                .hasMessage("local rank 2 is not below the local world size 2 (--local-rank, --local-world-size or "
                        + "$LOCAL_RANK, $LOCAL_WORLD_SIZE)");
        assertThat(events).as("nothing started").doesNotExist();
    }

    @Test
    void sigtermCancelsTheRunEndsTheStreamAndExits130() throws Exception {
        Path config = RunnerTestSupport.writeConfig(dir,
                "num_input_prompts: 100\nmax_output_tokens: 64\nmin_output_tokens: 64\n");
        Path events = dir.resolve("events.jsonl");

        Child child = new Child(List.of("--config", config.toString(), "--experiment-id", "exp-term",
                "--events-file", events.toString(), "--lem-home", lemHome.toString(),
                "--process-index", "0", "--num-processes", "1"), Map.of());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!child.firstRunBatch.await(100, TimeUnit.MILLISECONDS) && child.process.isAlive()
                && System.nanoTime() < deadline) {
            // wait for the first measured batch, or for the child to die
        }
        assertThat(child.firstRunBatch.getCount()).as("a measured batch ran; stdout %s, stderr %s", child.out,
                child.err).isZero();
        // SIGTERM through the handle: Process.destroy() would also close our ends of the child's pipes
        assertThat(child.process.toHandle().destroy()).isTrue();

        assertThat(child.waitFor(60)).as("stderr: %s", child.err).isEqualTo(RunnerMain.EXIT_CANCELLED);
        List<LemEvent> stream = readEvents(events);
        assertWellFormedStream(stream, "exp-term", 0);
        assertThat(((ProcessFailed) stream.get(stream.size() - 1)).reason()).isEqualTo("cancelled");
        assertThat(ofType(stream, BatchCompleted.class).size()).isBetween(1, 99);
        assertThat(child.errorLines()).as("stdout %s, stderr %s", child.out, child.err).singleElement().asString()
                .isEqualTo("lem runner: process 0 cancelled");
        assertThat(child.lines(RunnerMain.RESULT_PREFIX)).singleElement()
                .satisfies(r -> assertThat(r.get("status").asText()).isEqualTo("cancelled"));
    }
}
