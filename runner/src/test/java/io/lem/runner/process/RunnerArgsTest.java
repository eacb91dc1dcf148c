package io.lem.runner.process;

import io.lem.api.event.ProcessFailed;
import io.lem.api.event.LemEvent;
import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.events.EventSink;
import io.lem.runner.events.FileEventSink;
import io.lem.runner.engine.EngineException;
import io.lem.runner.prompts.PromptException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command line of {@link RunnerMain} and the small decisions of the runner, without running a model. */
class RunnerArgsTest {

    @TempDir
    Path dir;

    @Test
    void parsesEveryOptionInBothForms() {
        RunnerArgs a = RunnerArgs.parse("--config", "c.yaml", "--experiment-id=exp-1", "--process-index", "2",
                "--num-processes=4", "--local-rank", "1", "--local-world-size=2", "--device", "gpu:0",
                "--bootstrap-servers", "k:9092",
                "--client-properties", "client.properties", "--plugins-dir", "p1", "--plugins-dir=p2",
                "--plugin-setting", "constant-power.watts=50", "--plugin-setting=rapl.root = /sys",
                "--lem-home", "/tmp/lem", "--results-dir", "out");

        assertThat(a.config()).isEqualTo(Path.of("c.yaml"));
        assertThat(a.experimentId()).isEqualTo("exp-1");
        assertThat(a.processIndex(Map.of("RANK", "3"))).as("the flag wins").isEqualTo(2);
        assertThat(a.numProcesses(Map.of(), 1)).isEqualTo(4);
        assertThat(a.localRank(Map.of())).isEqualTo(1);
        assertThat(a.localWorldSize(Map.of("LOCAL_WORLD_SIZE", "8"))).as("the flag wins").isEqualTo(2);
        assertThat(a.device()).isEqualTo("gpu:0");
        assertThat(a.bootstrapServers()).isEqualTo("k:9092");
        assertThat(a.clientProperties()).isEqualTo(Path.of("client.properties"));
        assertThat(a.pluginsDirs()).containsExactly(Path.of("p1"), Path.of("p2"));
        assertThat(a.pluginSettings()).containsOnly(Map.entry("constant-power.watts", "50"),
                Map.entry("rapl.root", "/sys"));
        assertThat(a.lemHome()).isEqualTo(Path.of("/tmp/lem"));
        assertThat(a.resultsDir()).isEqualTo(Path.of("out"));
        assertThat(a.help()).isFalse();
    }

    @Test
    void thePlaceInTheExperimentFallsBackToTorchrunVariablesThenDefaults() {
        RunnerArgs a = RunnerArgs.parse("--config", "c.yaml", "--experiment-id", "e", "--events-file", "ev.jsonl");
        Map<String, String> torchrun = Map.of("RANK", "5", "WORLD_SIZE", "8", "LOCAL_RANK", "1",
                "LOCAL_WORLD_SIZE", "4");

        assertThat(a.processIndex(torchrun)).isEqualTo(5);
        assertThat(a.numProcesses(torchrun, 2)).isEqualTo(8);
        assertThat(a.localRank(torchrun)).isEqualTo(1);
        assertThat(a.localWorldSize(torchrun)).isEqualTo(4);
        assertThat(a.processIndex(Map.of())).isZero();
        assertThat(a.numProcesses(Map.of(), 3)).as("the config's num_processes").isEqualTo(3);
        assertThat(a.localRank(Map.of())).isZero();
        assertThat(a.localWorldSize(Map.of())).as("alone on its host unless told").isEqualTo(1);
        assertThatThrownBy(() -> a.localWorldSize(Map.of("LOCAL_WORLD_SIZE", "0")))
                .hasMessage("$LOCAL_WORLD_SIZE must be >= 1, was 0");
        assertThat(a.resultsDir()).isEqualTo(Path.of("results"));
        assertThatThrownBy(() -> a.processIndex(Map.of("RANK", "x"))).isInstanceOf(RunnerArgs.UsageException.class)
                .hasMessage("$RANK must be a whole number, was 'x'");
        assertThatThrownBy(() -> a.numProcesses(Map.of("WORLD_SIZE", "0"), 1))
                .hasMessage("$WORLD_SIZE must be >= 1, was 0");
    }

    @Test
    void badCommandLinesAreUsageErrors() {
        assertThatThrownBy(() -> RunnerArgs.parse("--experiment-id", "e")).isInstanceOf(RunnerArgs.UsageException.class)
                .hasMessage("--config is required");
        assertThatThrownBy(() -> RunnerArgs.parse("--config", "c")).hasMessage("--experiment-id is required");
        assertThatThrownBy(() -> RunnerArgs.parse("--config")).hasMessage("--config needs a value");
        assertThatThrownBy(() -> RunnerArgs.parse("--config", "c", "--experiment-id", "e", "--nope", "1"))
                .hasMessage("unknown option --nope");
        assertThatThrownBy(() -> RunnerArgs.parse("--config", "c", "--experiment-id", "e", "stray"))
                .hasMessage("unexpected argument 'stray'");
        assertThatThrownBy(() -> RunnerArgs.parse("--config", "c", "--experiment-id", "e", "--process-index", "-1"))
                .hasMessage("--process-index must be >= 0, was -1");
        assertThatThrownBy(() -> RunnerArgs.parse("--config", "c", "--experiment-id", "e", "--plugin-setting", "x"))
                .hasMessageStartingWith("--plugin-setting must look like KEY=VALUE");
        assertThatThrownBy(() -> RunnerArgs.parse("--config", "c", "--experiment-id", "e",
                "--bootstrap-servers", "k:1", "--events-file", "f")).hasMessageContaining("exclude each other");
        assertThat(RunnerArgs.parse("--help").help()).isTrue();
    }

    @Test
    void runMapsInvalidInputToExitTwoAndPrintsOneLine() throws IOException {
        Path config = RunnerTestSupport.writeConfig(dir, "num_processes: 2\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

        assertThat(RunnerMain.run(new String[]{"--bogus"}, Map.of(), o, e, false)).isEqualTo(2);
        assertThat(RunnerMain.run(new String[]{"--config", config.toString(), "--experiment-id", "e",
                "--process-index", "2", "--events-file", dir.resolve("ev.jsonl").toString()}, Map.of(), o, e, false))
                .isEqualTo(2);
        assertThat(RunnerMain.run(new String[]{"--config", config.toString(), "--experiment-id", "e"}, Map.of(), o,
                e, false)).as("no Kafka named anywhere").isEqualTo(2);
        assertThat(RunnerMain.run(new String[]{"--config", config.toString(), "--experiment-id", "e",
                "--bootstrap-servers", "localhost:1", "--client-properties", dir.resolve("none.properties").toString()},
                Map.of(), o, e, false)).isEqualTo(2);
        assertThat(RunnerMain.run(new String[]{"--help"}, Map.of(), o, e, false)).isZero();

        assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
                "lem runner: unknown option --bogus (see --help)",
                "lem runner: process index 2 is not below the number of processes 2",
                "lem runner: no Kafka cluster: pass --bootstrap-servers, set kafka.bootstrap_servers in the config, "
                        + "or write the events to a file with --events-file",
                "lem runner: client properties file " + dir.resolve("none.properties") + " does not exist");
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: ");
        assertThat(dir.resolve("ev.jsonl")).doesNotExist();
    }

    @Test
    void clientPropertiesFilesAreRead() throws IOException {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\n# a comment\nsasl.mechanism = PLAIN\n");
        assertThat(RunnerMain.readProperties(file)).containsExactly(Map.entry("sasl.mechanism", "PLAIN"),
                Map.entry("security.protocol", "SASL_SSL"));
    }

    @Test
    void theDefaultDeviceFollowsGpuListAndCudaVisibleDevices() throws IOException {
        ExperimentConfig cpu = RunnerTestSupport.config(dir, "");
        ExperimentConfig gpus = RunnerTestSupport.config(dir, "gpu_list: [2, 3]\n");

        assertThat(RunnerMain.defaultDevice(cpu, 0, 0, Map.of())).isEqualTo("cpu");
        assertThat(RunnerMain.defaultDevice(gpus, 1, 1, Map.of("CUDA_VISIBLE_DEVICES", "3"))).isEqualTo("gpu:0");
        assertThat(RunnerMain.defaultDevice(gpus, 1, 1, Map.of("CUDA_VISIBLE_DEVICES", "2,3"))).isEqualTo("gpu:1");
        assertThat(RunnerMain.defaultDevice(gpus, 1, 1, Map.of())).isEqualTo("gpu:3");
        assertThat(RunnerMain.defaultDevice(gpus, 5, 2, Map.of())).isEqualTo("gpu:2");
    }

    @Test
    void warmUpTakesFullBatchesFromTheStartOfTheShard() {
        List<int[]> shard = List.of(new int[]{1}, new int[]{2}, new int[]{3});
        assertThat(RunnerProcess.warmupPrompts(shard, 2, 2)).extracting(p -> p[0]).containsExactly(1, 2, 3, 1);
        assertThat(RunnerProcess.warmupPrompts(shard, 1, 2)).extracting(p -> p[0]).containsExactly(1, 2);
        assertThat(RunnerProcess.warmupPrompts(List.of(), 3, 2)).isEmpty();
    }

    @Test
    void failureReasonsAreOneLineWithThePhase() {
        assertThat(RunnerProcess.reason("loading model x", new EngineException("fp_precision bfloat16 is not\n"
                + "supported"))).isEqualTo("loading model x: fp_precision bfloat16 is not supported");
        assertThat(RunnerProcess.reason("loading prompts", new PromptException("p.jsonl:3: no \"prompt\" field")))
                .isEqualTo("loading prompts: p.jsonl:3: no \"prompt\" field");
        assertThat(RunnerProcess.reason("generating", new IllegalStateException("boom")))
                .isEqualTo("generating: IllegalStateException: boom");
        assertThat(RunnerProcess.reason("generating", new NullPointerException()))
                .isEqualTo("generating: NullPointerException");
        assertThat(RunnerProcess.reason("x", new UncheckedIOException("disk full", new IOException())))
                .isEqualTo("x: disk full");
        assertThat(RunnerProcess.reason("x", new IllegalStateException("y".repeat(5000))))
                .hasSize(RunnerProcess.MAX_REASON_LENGTH).endsWith("...");
    }

    @Test
    void outputsGoUnderTheExperimentIdAsASafeDirectoryName() {
        assertThat(OutputsFile.directoryName("exp_2024-01-15.1")).isEqualTo("exp_2024-01-15.1");
        assertThat(OutputsFile.directoryName("team/exp 1")).isEqualTo("team_exp_1");
        assertThat(OutputsFile.directoryName("..")).isEqualTo("__");
    }

    @Test
    void hostFactsFallBackWhenFilesAreMissing() throws IOException {
        Path cpuinfo = dir.resolve("cpuinfo");
        Files.writeString(cpuinfo, "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU @ 2.0GHz\n");
        Path machineId = dir.resolve("machine-id");
        Files.writeString(machineId, "0123abcd\n");

        assertThat(HostInfo.cpuModel(cpuinfo)).isEqualTo("Test CPU @ 2.0GHz");
        assertThat(HostInfo.cpuModel(dir.resolve("absent"))).isEqualTo(System.getProperty("os.arch"));
        assertThat(HostInfo.hostId(machineId, "host-a")).isEqualTo("0123abcd");
        assertThat(HostInfo.hostId(dir.resolve("absent"), "host-a")).isEqualTo("host-a");
        assertThat(HostInfo.localHostName(Map.of("HOSTNAME", " node-7 "))).isEqualTo("node-7");
    }

    @Test
    void theHfTokenOfTheConfigReachesTheHubOnlyWhenTheEnvironmentHasNone() throws IOException {
        ExperimentConfig config = RunnerTestSupport.config(dir, "hf_token: from-file\n");
        assertThat(RunnerProcess.hubEnvironment(config, Map.of("A", "1")))
                .containsEntry("HF_TOKEN", "from-file").containsEntry("A", "1");
        assertThat(RunnerProcess.hubEnvironment(config, Map.of("HF_TOKEN", "from-env")))
                .containsEntry("HF_TOKEN", "from-env");
    }

    @Test
    void aSinkThatCannotTakeTheTerminalEventLeavesLastSeqUnknown() throws IOException {
        ExperimentConfig config = RunnerTestSupport.config(dir, "prompts:\n  file: missing-prompts.txt\n");
        Path events = dir.resolve("ev.jsonl");
        FileEventSink file = FileEventSink.open(events);
        EventSink refusing = new EventSink() {
            @Override
            public void send(LemEvent event) {
                if (event instanceof ProcessFailed) {
                    throw new UncheckedIOException(new IOException("disk gone"));
                }
                file.send(event);
            }

            @Override
            public void flush() {
                file.flush();
            }

            @Override
            public void close() {
                file.close();
            }
        };
        RunnerOutcome outcome = new RunnerProcess(RunnerSettings.builder(config, "e", refusing).lemHome(dir)
                .environment(Map.of()).host("h").build()).run();

        assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.FAILED);
        assertThat(outcome.error()).startsWith("loading prompts: ").endsWith("missing-prompts.txt: no such prompts file");
        assertThat(outcome.lastSeq()).isEqualTo(-1);
        assertThat(Files.readString(events)).isEmpty();
    }
}
