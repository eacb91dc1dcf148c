package io.lem.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lem.cli.ExitCodes;
import io.lem.cli.LemHome;
import io.lem.cli.UserError;
import io.lem.runner.bench.GenerateBench;
import io.lem.runner.bench.GenerateBenchOptions;
import io.lem.runner.bench.GenerateBenchReport;
import io.lem.runner.bench.PeakProbe;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.ModelLocator;
import io.lem.runner.model.hub.HubSettings;
import io.lem.runner.model.synth.SyntheticModels;
import io.lem.runner.model.weights.WeightStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lem bench generate}: prefill/decode throughput per batch size with MFU and MBU against in-process peaks. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Prefill and decode tokens/s per batch size, and the engine's peak matmul GFLOP/s and read",
                "bandwidth measured in the same process; from them MFU (counted FLOP/s / peak) and MBU (weight and",
                "KV-cache bytes read per decode step / step time / bandwidth). Prints PASS/FAIL for decode MFU >= 40%",
                "at batch 32 and decode MBU >= 50% at batch 1. Exit code 0 whatever the verdict."})
public final class BenchGenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|ID",
            description = "Model directory, hub id (org/name) or lem-synthetic/<name>.")
    String model;

    @Option(names = "--synthetic", paramLabel = "NAME",
            description = "A synthetic model lem writes into its models directory on first use: smollm2-135m "
                    + "(SmolLM2-135M's dimensions, random weights), tiny-llama or tiny-gpt2. Instead of --model.")
    String synthetic;

    @Option(names = "--revision", paramLabel = "REV", description = "Hub revision (default: main).")
    String revision;

    @Option(names = "--batch-sizes", paramLabel = "B,B,...", split = ",", defaultValue = "1,8,32",
            description = "Default: ${DEFAULT-VALUE}.")
    List<String> batchSizes = new ArrayList<>();

    @Option(names = "--prompt-tokens", paramLabel = "P", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(names = "--new-tokens", paramLabel = "N", defaultValue = "32",
            description = "Tokens generated per sequence, >= 2 (default: ${DEFAULT-VALUE}).")
    int newTokens;

    @Option(names = "--precision", paramLabel = "P", defaultValue = "float32",
            description = "float32 | float16 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--repeats", paramLabel = "R", defaultValue = "3",
            description = "Timed runs per batch size after a warm-up; the fastest counts (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--device", paramLabel = "cpu|gpu:N", defaultValue = "cpu", description = "Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Option(names = "--peak-matmul-sizes", paramLabel = "N,N,...", split = ",", defaultValue = "512,1024,2048",
            description = "Square matmuls the peak FLOP/s probe tries (default: ${DEFAULT-VALUE}).")
    List<Integer> peakMatmulSizes = new ArrayList<>();

    @Option(names = "--peak-read-mib", paramLabel = "MIB", defaultValue = "512",
            description = "Array the bandwidth probe sums; must dwarf the last-level cache (default: ${DEFAULT-VALUE}).")
    int peakReadMib;

    @Override
    public Integer call() throws Exception {
        GenerateBenchOptions options = options();
        FpPrecision fp = precision();
        String name = modelName();
        ModelFiles files;
        try {
            files = ModelLocator.locate(name, revision, HubSettings.fromSystemEnvironment(), LemHome.dir());
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError((synthetic != null ? "--synthetic " + synthetic : "--model " + model) + ": "
                    + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GenerateBenchReport report;
        try (WeightStore weights = files.openWeights();
             LoadedModel loaded = InferenceEngine.load(files.config(), weights, new EngineOptions(device, fp))) {
            err.println("lem: benchmarking " + files.displayName());
            report = GenerateBench.run(loaded, options, line -> {
                err.println("lem: " + line);
                err.flush();
            });
        } catch (EngineException e) {
            throw new UserError(e.getMessage());
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(report.toJson()));
        } else {
            out.print(report.text());
        }
        out.flush();
        return ExitCodes.OK;
    }

    private String modelName() {
        if ((model == null) == (synthetic == null)) {
            throw new UserError("give exactly one of --model DIR|ID and --synthetic NAME");
        }
        if (model != null) {
            return model;
        }
        String full = SyntheticModels.PREFIX + synthetic;
        List<String> decoderOnly = SyntheticModels.names().stream()
                .filter(n -> SyntheticModels.spec(n).map(GenerateBench::supports).orElse(false))
                .map(n -> n.substring(SyntheticModels.PREFIX.length())).toList();
        if (!decoderOnly.contains(synthetic)) {
            throw new UserError("--synthetic must be one of " + String.join(", ", decoderOnly) + ", was '"
                    + synthetic + "'");
        }
        return full;
    }

    private GenerateBenchOptions options() {
        List<Integer> sizes = new ArrayList<>();
        for (String s : batchSizes) {
            try {
                int b = Integer.parseInt(s.trim());
                if (b < 1) {
                    throw new NumberFormatException();
                }
                sizes.add(b);
            } catch (NumberFormatException e) {
                throw new UserError("--batch-sizes must be positive integers separated by commas, was '"
                        + String.join(",", batchSizes) + "'");
            }
        }
        if (promptTokens < 1) {
            throw new UserError("--prompt-tokens must be >= 1, was " + promptTokens);
        }
        if (newTokens < 2) {
            throw new UserError("--new-tokens must be >= 2 (the first token comes from prefill), was " + newTokens);
        }
        if (repeats < 1) {
            throw new UserError("--repeats must be >= 1, was " + repeats);
        }
        if (peakMatmulSizes.isEmpty() || peakMatmulSizes.stream().anyMatch(n -> n < 1 || n > 16384)) {
            throw new UserError("--peak-matmul-sizes must be integers in [1, 16384], was " + peakMatmulSizes);
        }
        if (peakReadMib < 1) {
            throw new UserError("--peak-read-mib must be >= 1, was " + peakReadMib);
        }
        return new GenerateBenchOptions(sizes, promptTokens, newTokens, repeats,
                new PeakProbe.Sizes(peakMatmulSizes, (long) peakReadMib << 20, repeats));
    }

    private FpPrecision precision() {
        if (precision.equals("float32")) {
            return FpPrecision.FLOAT32;
        }
        if (precision.equals("float16")) {
            return FpPrecision.FLOAT16;
        }
        throw new UserError("--precision must be float32 or float16, was '" + precision + "'");
    }
}
