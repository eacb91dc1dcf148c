package io.lem.runner.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.runner.generate.GenerationResult;
import io.lem.runner.prompts.Prompt;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;
import java.util.regex.Pattern;

/**
 * {@code save_outputs}: {@code results/outputs/<experimentId>/process_<index>.jsonl}, one JSON object per measured
 * prompt of the process, in the process's prompt order:
 *
 * <pre>{@code
 * {"promptIndex":4,"batchIndex":3,"prompt":"...","text":"...","inputTokens":12,"truncatedTokens":0,
 *  "outputTokens":32,"finishReason":"length"}
 * }</pre>
 *
 * {@code promptIndex} is the experiment-wide index of the prompt (the files of all processes merge on it),
 * {@code batchIndex} the event batch index, {@code text} the generated text without a final EOS token. Written to a
 * temporary file first and moved into place, replacing an older file.
 */
final class OutputsFile {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._-]+");

    private OutputsFile() {
    }

    /** The experiment id as a directory name: as it is when safe, else with every other character replaced by _. */
    static String directoryName(String experimentId) {
        if (SAFE.matcher(experimentId).matches() && !experimentId.equals(".") && !experimentId.equals("..")) {
            return experimentId;
        }
        String replaced = experimentId.replaceAll("[^A-Za-z0-9._-]", "_");
        return replaced.equals(".") || replaced.equals("..") ? replaced.replace('.', '_') : replaced;
    }

    /**
     * @param prompts      the process's prompts, in the order given to the generator
     * @param results      the generator's results, same order
     * @param toEventIndex generator batch index to event batch index
     */
    static Path write(Path file, List<Prompt> prompts, List<GenerationResult> results, IntUnaryOperator toEventIndex)
            throws IOException {
        if (prompts.size() != results.size()) {
            throw new IllegalArgumentException(prompts.size() + " prompts but " + results.size() + " results");
        }
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                for (int k = 0; k < results.size(); k++) {
                    GenerationResult r = results.get(k);
                    Prompt p = prompts.get(k);
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("promptIndex", p.index());
                    line.put("batchIndex", toEventIndex.applyAsInt(r.batchIndex()));
                    line.put("prompt", p.text());
                    line.put("text", r.text());
                    line.put("inputTokens", r.inputTokenCount());
                    line.put("truncatedTokens", r.truncatedTokens());
                    line.put("outputTokens", r.outputTokenCount());
                    line.put("finishReason", r.finishReason() == null ? null : r.finishReason().label());
                    out.write(JSON.writeValueAsString(line));
                    out.write('\n');
                }
            }
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }
}
