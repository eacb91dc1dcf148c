package io.lem.runner.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.api.event.BatchCompleted;
import io.lem.api.event.BatchStarted;
import io.lem.api.event.FlopsEstimate;
import io.lem.api.event.LemEvent;
import io.lem.api.event.PrefillCompleted;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.config.TaskType;
import io.lem.runner.events.FileEventSink;
import io.lem.runner.prompts.PromptSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.lem.runner.process.RunnerTestSupport.ENV;
import static io.lem.runner.process.RunnerTestSupport.assertWellFormedStream;
import static io.lem.runner.process.RunnerTestSupport.ofType;
import static io.lem.runner.process.RunnerTestSupport.readEvents;
import static org.assertj.core.api.Assertions.assertThat;

/** Runner processes end to end on the synthetic tiny T5 and BART: summarisation and translation tasks. */
class RunnerProcessSeq2SeqTest {

    /** Shared by the tests of this class so that the tiny models are synthesized once. */
    @TempDir
    static Path lemHome;

    @TempDir
    Path dir;

    private RunnerOutcome run(ExperimentConfig config, String experimentId, Path events) throws IOException {
        RunnerSettings s = RunnerSettings.builder(config, experimentId, FileEventSink.open(events)).lemHome(lemHome)
                .environment(ENV).host("test-host").resultsDir(dir.resolve("results")).build();
        return new RunnerProcess(s).run();
    }

    private List<JsonNode> outputs(String experimentId) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("results/outputs/" + experimentId + "/process_0.jsonl"),
                StandardCharsets.UTF_8)) {
            lines.add(json.readTree(line));
        }
        return lines;
    }

    private void checkRun(String model, String task, String experimentId) throws IOException {
        ExperimentConfig config = RunnerTestSupport.config(dir, String.join("\n",
                "model_name: lem-synthetic/" + model,
                "is_encoder_decoder: true",
                "task_type: " + task,
                "source_lang: en",
                "target_lang: de",
                "num_input_prompts: 3",
                "min_output_tokens: 2",
                "batching_options:",
                "  batch_size: 2",
                "warmup_batches: 1",
                "save_outputs: true",
                ""));
        Path eventsFile = dir.resolve(experimentId + ".jsonl");
        RunnerOutcome outcome = run(config, experimentId, eventsFile);
        assertThat(outcome.error()).isNull();
        assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.COMPLETED);
        assertThat(outcome.batches()).isEqualTo(2);

        List<LemEvent> events = readEvents(eventsFile);
        assertWellFormedStream(events, experimentId, 0);
        List<BatchCompleted> measured = ofType(events, BatchCompleted.class).stream().filter(b -> !b.warmup())
                .toList();
        assertThat(measured).hasSize(2);
        ProcessCompleted completed = (ProcessCompleted) events.get(events.size() - 1);
        assertThat(completed.outputTokens()).isEqualTo(measured.stream().mapToLong(BatchCompleted::outputTokens)
                .sum()).isGreaterThanOrEqualTo(3 * 2);
        for (BatchCompleted end : measured) {
            BatchStarted start = ofType(events, BatchStarted.class).stream()
                    .filter(b -> b.batchIndex() == end.batchIndex()).findFirst().orElseThrow();
            PrefillCompleted prefill = ofType(events, PrefillCompleted.class).stream()
                    .filter(p -> p.batchIndex() == end.batchIndex()).findFirst().orElseThrow();
            assertThat(prefill.timeToFirstTokenNanos()).isPositive();
            assertThat(start.paddedInputTokens()).isGreaterThanOrEqualTo(start.inputTokens());
            List<FlopsEstimate> flops = ofType(events, FlopsEstimate.class).stream()
                    .filter(f -> f.batchIndex() == end.batchIndex()).toList();
            assertThat(flops).extracting(FlopsEstimate::method).contains("counted", "parameter",
                    "architecture-dense", "architecture-causal");
            assertThat(flops).allSatisfy(f -> assertThat(f.flops()).isPositive());
        }

        // the prompts are the task's built-in set, as given (the template is applied to the model input only)
        List<String> builtin = PromptSet.load(null, TaskType.valueOf(task.toUpperCase())).texts();
        List<JsonNode> lines = outputs(experimentId);
        assertThat(lines).extracting(n -> n.get("prompt").asText())
                .containsExactly(builtin.get(0), builtin.get(1), builtin.get(2));
        assertThat(lines).allSatisfy(n -> assertThat(n.get("outputTokens").asInt()).isBetween(2, 4));
    }

    @Test
    void t5SummarisesTheBuiltInDocuments() throws IOException {
        checkRun("tiny-t5", "summarisation", "exp-t5-sum");
    }

    @Test
    void t5TranslatesTheBuiltInSentences() throws IOException {
        checkRun("tiny-t5", "translation", "exp-t5-tr");
    }

    @Test
    void bartSummarisesTheBuiltInDocuments() throws IOException {
        checkRun("tiny-bart", "summarisation", "exp-bart-sum");
        // forced_bos_token_id 0: every output starts with <s>, which decodes to nothing
        assertThat(outputs("exp-bart-sum")).allSatisfy(n -> assertThat(n.get("text").isTextual()).isTrue());
    }

    @Test
    void countedFlopsOfOneSequenceEqualTheAnalyticCount() throws IOException {
        // batch size 1: no padding, so what the engine executed is exactly what the analytic formula describes
        for (String model : List.of("tiny-t5", "tiny-bart")) {
            ExperimentConfig config = RunnerTestSupport.config(dir, String.join("\n",
                    "model_name: lem-synthetic/" + model,
                    "is_encoder_decoder: true",
                    "task_type: summarisation",
                    "num_input_prompts: 2",
                    "max_output_tokens: 3",
                    ""));
            Path eventsFile = dir.resolve(model + "-flops.jsonl");
            assertThat(run(config, "exp-flops-" + model, eventsFile).status())
                    .isEqualTo(RunnerOutcome.Status.COMPLETED);
            List<FlopsEstimate> flops = ofType(readEvents(eventsFile), FlopsEstimate.class);
            for (int batch = 0; batch < 2; batch++) {
                int b = batch;
                double counted = flops.stream().filter(f -> f.batchIndex() == b && f.method().equals("counted"))
                        .findFirst().orElseThrow().flops();
                double dense = flops.stream().filter(f -> f.batchIndex() == b
                        && f.method().equals("architecture-dense")).findFirst().orElseThrow().flops();
                assertThat(counted).as(model + " batch " + b).isEqualTo(dense);
            }
        }
    }

    @Test
    void isEncoderDecoderMustAgreeWithTheCheckpoint() throws IOException {
        ExperimentConfig wrong = RunnerTestSupport.config(dir, "model_name: lem-synthetic/tiny-t5\n"
                + "task_type: summarisation\n");
        Path eventsFile = dir.resolve("wrong.jsonl");
        RunnerOutcome outcome = run(wrong, "exp-wrong", eventsFile);
        assertThat(outcome.status()).isEqualTo(RunnerOutcome.Status.FAILED);
        assertThat(outcome.error()).contains("is_encoder_decoder is false").contains("model_type t5")
                .contains("set is_encoder_decoder: true").doesNotContain("\n");
        List<LemEvent> events = readEvents(eventsFile);
        assertThat(events.get(events.size() - 1)).isInstanceOf(ProcessFailed.class);

        ExperimentConfig wrongWay = RunnerTestSupport.config(dir, "is_encoder_decoder: true\n");
        RunnerOutcome other = run(wrongWay, "exp-wrong-way", dir.resolve("wrong-way.jsonl"));
        assertThat(other.error()).contains("is_encoder_decoder is true").contains("decoder-only")
                .contains("set is_encoder_decoder: false");
    }
}
