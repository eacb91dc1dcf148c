package io.lem.runner.process;

import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import io.lem.api.event.LemEvent;
import io.lem.api.event.ProcessCompleted;
import io.lem.api.event.ProcessFailed;
import io.lem.runner.config.ConfigLoader;
import io.lem.runner.config.ExperimentConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Configs, event files and stream invariants shared by the runner tests. */
final class RunnerTestSupport {

    /** Small and quick: the synthetic tiny llama, 4 tokens, greedy, the example energy plugin sampled every 20 ms. */
    static final String BASE_CONFIG = String.join("\n",
            "config_name: runner-test",
            "model_name: lem-synthetic/tiny-llama",
            "max_input_tokens: 32",
            "max_output_tokens: 4",
            "decoder_config:",
            "  temperature: 0",
            "energy:",
            "  plugins: [constant-power]",
            "  sampling_interval_ms: 20",
            "");

    /** The environment of the runs: never the real one (no hub, no HF token). */
    static final Map<String, String> ENV = Map.of("HF_HUB_OFFLINE", "1");

    static {
        // Tiny models on a shared 2-core machine: one PyTorch thread (see engine.SyntheticModels).
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
    }

    private RunnerTestSupport() {
    }

    /** {@link #BASE_CONFIG} with {@code extra} appended; a top-level key of {@code extra} replaces the base's. */
    static Path writeConfig(Path dir, String extra) throws IOException {
        Files.createDirectories(dir);
        Path file = Files.createTempFile(dir, "experiment-", ".yaml");
        java.util.Set<String> overridden = new java.util.HashSet<>();
        for (String line : extra.split("\n")) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && line.contains(":")) {
                overridden.add(line.substring(0, line.indexOf(':')));
            }
        }
        StringBuilder text = new StringBuilder();
        boolean skipping = false;
        for (String line : BASE_CONFIG.split("\n")) {
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0))) {
                skipping = overridden.contains(line.substring(0, line.indexOf(':')));
            }
            if (!skipping) {
                text.append(line).append('\n');
            }
        }
        Files.writeString(file, text + extra, StandardCharsets.UTF_8);
        return file;
    }

    static ExperimentConfig config(Path dir, String extra) throws IOException {
        return ConfigLoader.load(writeConfig(dir, extra));
    }

    static List<LemEvent> readEvents(Path file) throws IOException {
        EventCodec codec = new EventCodec();
        List<LemEvent> events = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                try {
                    events.add(codec.decodeKnown(line.getBytes(StandardCharsets.UTF_8)));
                } catch (EventFormatException e) {
                    throw new AssertionError(file + ": not an event: " + line, e);
                }
            }
        }
        return events;
    }

    static <T extends LemEvent> List<T> ofType(List<LemEvent> events, Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Seqs 0..n-1 in file order, one process, and exactly one terminal event, last, whose lastSeq is its seq. */
    static void assertWellFormedStream(List<LemEvent> events, String experimentId, int processIndex) {
        assertThat(events).isNotEmpty();
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).envelope().seq()).as("seq of event %d", i).isEqualTo(i);
            assertThat(events.get(i).envelope().experimentId()).isEqualTo(experimentId);
            assertThat(events.get(i).envelope().processIndex()).isEqualTo(processIndex);
        }
        LemEvent last = events.get(events.size() - 1);
        assertThat(last).isInstanceOfAny(ProcessCompleted.class, ProcessFailed.class);
        long lastSeq = last instanceof ProcessCompleted ? ((ProcessCompleted) last).lastSeq()
                : ((ProcessFailed) last).lastSeq();
        assertThat(lastSeq).isEqualTo(last.envelope().seq());
        assertThat(events.stream().filter(e -> e instanceof ProcessCompleted || e instanceof ProcessFailed))
                .hasSize(1);
    }
}
