package io.lem.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.cli.ExitCodes;
import io.lem.cli.LemHome;
import io.lem.cli.UserError;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.config.TaskType;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.generate.GenerationConfig;
import io.lem.runner.generate.GenerationResult;
import io.lem.runner.generate.Generator;
import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.ModelLocator;
import io.lem.runner.model.hub.HubSettings;
import io.lem.runner.model.tokenizer.LemTokenizer;
import io.lem.runner.model.weights.WeightStore;
import io.lem.runner.prompts.InputTemplate;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lem generate}: run a model on prompts and print what it wrote. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate text with a HuggingFace model (local directory, hub id, or lem-synthetic/<name>) on",
                "DJL's PyTorch engine. Prints the generated text, or with --json one object per prompt."})
public final class GenerateCommand implements Callable<Integer> {

    static final class Decoding {
        @Option(names = "--greedy", description = "Greedy decoding (the default).")
        boolean greedy;

        @ArgGroup(exclusive = false)
        Sampling sampling;
    }

    static final class Sampling {
        @Option(names = "--temperature", paramLabel = "T", required = true, description = "Sample at temperature T > 0.")
        double temperature;

        @Option(names = "--top-k", paramLabel = "K", defaultValue = "0", description = "Keep the K most likely (0 = off).")
        int topK;

        @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0", description = "Nucleus mass in (0, 1].")
        double topP;
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH|ID", required = true,
            description = "Model directory, hub id (org/name), or lem-synthetic/tiny-llama etc.")
    String model;

    @Option(names = "--revision", paramLabel = "REV", description = "Hub revision (default: main).")
    String revision;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "A prompt (repeatable).")
    List<String> prompts = new ArrayList<>();

    @Option(names = "--prompts-file", paramLabel = "FILE", description = "Prompts, one per line.")
    Path promptsFile;

    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int maxNewTokens;

    @Option(names = "--min-new-tokens", paramLabel = "N", defaultValue = "0",
            description = "EOS is suppressed until this many (default: ${DEFAULT-VALUE}).")
    int minNewTokens;

    @Option(names = "--max-input-tokens", paramLabel = "N", defaultValue = "512",
            description = "Longer prompts keep their last N tokens; encoder-decoder inputs their first N, with "
                    + "their final EOS (default: ${DEFAULT-VALUE}).")
    int maxInputTokens;

    @ArgGroup(exclusive = true)
    Decoding decoding;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "float32",
            description = "float32 | float16 | bfloat16 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--device", paramLabel = "cpu|gpu:N", defaultValue = "cpu", description = "Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "8", description = "Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--task", paramLabel = "TASK", defaultValue = "text_generation",
            description = "text_generation | summarisation | translation: the input template of encoder-decoders "
                    + "(t5: 'summarize: ', 'translate <src> to <tgt>: '; default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--source-lang", paramLabel = "LANG", description = "Translation: language of the prompts.")
    String sourceLang;

    @Option(names = "--target-lang", paramLabel = "LANG", description = "Translation: language to translate into.")
    String targetLang;

    @Option(names = "--json", description = "One JSON object per prompt (prompt, inputIds, outputIds, text,"
            + " finishReason, timings).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        List<String> texts = prompts();
        FpPrecision fp = precision();
        TaskType taskType = taskType();
        check(maxNewTokens >= 1, "--max-new-tokens must be >= 1, was " + maxNewTokens);
        check(minNewTokens >= 0 && minNewTokens <= maxNewTokens,
                "--min-new-tokens must be in [0, --max-new-tokens], was " + minNewTokens);
        check(maxInputTokens >= 1, "--max-input-tokens must be >= 1, was " + maxInputTokens);
        check(batchSize >= 1, "--batch-size must be >= 1, was " + batchSize);
        Sampling sampling = decoding == null ? null : decoding.sampling;
        if (sampling != null) {
            check(sampling.temperature > 0, "--temperature must be > 0 (use --greedy for greedy), was "
                    + sampling.temperature);
            check(sampling.topP > 0 && sampling.topP <= 1, "--top-p must be in (0, 1], was " + sampling.topP);
            check(sampling.topK >= 0, "--top-k must be >= 0, was " + sampling.topK);
        }
        ModelFiles files;
        try {
            files = ModelLocator.locate(model, revision, HubSettings.fromSystemEnvironment(), LemHome.dir());
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError("--model " + model + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LemTokenizer tokenizer = LemTokenizer.load(files);
             WeightStore weights = files.openWeights();
             LoadedModel loaded = InferenceEngine.load(files.engineConfig(), weights,
                     new EngineOptions(device, fp))) {
            GenerationConfig.Builder config = GenerationConfig.builder()
                    .maxNewTokens(maxNewTokens).minNewTokens(minNewTokens).maxInputTokens(maxInputTokens)
                    .seed(seed).batchSize(batchSize)
                    .eosTokenIds(Arrays.stream(tokenizer.eosTokenIds()).boxed().toList())
                    .padTokenId(tokenizer.padTokenId());
            if (sampling != null) {
                config.doSample(true).temperature(sampling.temperature).topK(sampling.topK).topP(sampling.topP);
            } else {
                config.doSample(false).temperature(0);
            }
            InputTemplate template = InputTemplate.of(taskType, files.modelType(), sourceLang, targetLang);
            List<int[]> encoded = texts.stream().map(t -> tokenizer.encode(template.apply(t))).toList();
            List<GenerationResult> results = new Generator(loaded, config.build(), ids -> tokenizer.decode(ids, true))
                    .generate(encoded, io.lem.runner.generate.GenerationListener.NONE);
            ObjectMapper mapper = new ObjectMapper();
            for (GenerationResult r : results) {
                if (json) {
                    out.println(mapper.writeValueAsString(asJson(texts.get(r.promptIndex()), r)));
                } else if (loaded.isEncoderDecoder()) {
                    out.println(texts.get(r.promptIndex()));
                    out.println("=> " + r.text());
                    if (results.size() > 1) {
                        out.println("---");
                    }
                } else {
                    out.println(texts.get(r.promptIndex()) + r.text());
                    if (results.size() > 1) {
                        out.println("---");
                    }
                }
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static Map<String, Object> asJson(String prompt, GenerationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", prompt);
        m.put("inputIds", r.promptTokens());
        m.put("outputIds", r.generatedTokens());
        m.put("text", r.text());
        m.put("finishReason", r.finishReason().toString().toLowerCase());
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("prefillMs", r.prefillNanos() / 1e6);
        timings.put("decodeMs", r.decodeNanos() / 1e6);
        timings.put("decodeTokensPerSecond", r.outputTokenCount() > 1 && r.decodeNanos() > 0
                ? (r.outputTokenCount() - 1) / (r.decodeNanos() / 1e9) : null);
        m.put("timings", timings);
        m.put("truncatedTokens", r.truncatedTokens());
        return m;
    }

    private List<String> prompts() throws IOException {
        List<String> all = new ArrayList<>(prompts);
        if (promptsFile != null) {
            if (!Files.isRegularFile(promptsFile)) {
                throw new UserError("--prompts-file: no such file: " + promptsFile);
            }
            Files.readAllLines(promptsFile).stream().filter(line -> !line.isBlank()).forEach(all::add);
        }
        if (all.isEmpty()) {
            throw new UserError("give at least one --prompt or a --prompts-file");
        }
        return all;
    }

    private TaskType taskType() {
        for (TaskType t : TaskType.values()) {
            if (t.yamlName().equals(task)) {
                check(t != TaskType.TRANSLATION || sourceLang != null && targetLang != null,
                        "--task translation needs --source-lang and --target-lang");
                return t;
            }
        }
        throw new UserError("--task must be text_generation, summarisation or translation, was '" + task + "'");
    }

    private FpPrecision precision() {
        for (FpPrecision p : FpPrecision.values()) {
            if (p.yamlName().equals(precision)) {
                return p;
            }
        }
        throw new UserError("--precision must be float32, float16 or bfloat16, was '" + precision + "'");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }
}
