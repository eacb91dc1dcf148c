package io.lem.cli.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lem.api.flops.ModelArchitecture;
import io.lem.cli.ExitCodes;
import io.lem.cli.UserError;
import io.lem.plugins.flops.ArchitectureMath;
import io.lem.plugins.flops.FlopsMethod;
import io.lem.plugins.flops.HfConfig;
import io.lem.plugins.flops.Macs;
import io.lem.plugins.flops.ModelShape;
import io.lem.plugins.flops.ParameterCount;
import io.lem.plugins.flops.Precision;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** {@code lem model inspect|synth}. */
@Command(name = "model", mixinStandardHelpOptions = true, subcommands = SynthCommand.class,
        description = "Models: inspect parameters, memory and FLOPs from config.json; write synthetic models.",
        synopsisSubcommandLabel = "COMMAND")
public final class ModelCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "inspect", mixinStandardHelpOptions = true,
            description = {"Architecture, exact parameter counts, weight and KV-cache bytes per precision, and FLOPs of",
                    "one forward pass over T tokens x B sequences under each convention. Needs config.json only: for a",
                    "hub id only config.json is fetched (into the HF cache; HF_ENDPOINT and HF_HUB_OFFLINE apply).",
                    "Encoder-decoders (t5, bart): parameters and FLOPs of the encoder (T input tokens) and of the",
                    "decoder (generating T tokens) apart."})
    int inspect(@Parameters(paramLabel = "MODEL",
                        description = "A model directory, a config.json file, or a hub id org/name.") String model,
                @Option(names = "--revision", paramLabel = "REV",
                        description = "Hub revision: branch, tag or commit (default: main).") String revision,
                @Option(names = "--seq-len", paramLabel = "T", defaultValue = "512",
                        description = "Tokens per sequence (default: ${DEFAULT-VALUE}).") int seqLen,
                @Option(names = "--batch-size", paramLabel = "B", defaultValue = "1",
                        description = "Sequences (default: ${DEFAULT-VALUE}).") int batchSize,
                @Option(names = "--json", description = "Print JSON.") boolean json) throws IOException {
        if (seqLen < 1) {
            throw new UserError("--seq-len must be >= 1, was " + seqLen);
        }
        if (batchSize < 1) {
            throw new UserError("--batch-size must be >= 1, was " + batchSize);
        }
        ConfigSource source = ConfigSource.find(model, revision);
        Path config = source.config();
        ModelArchitecture architecture;
        ModelInspection inspection = null;
        EncoderDecoderInspection encoderDecoder = null;
        try {
            architecture = HfConfig.read(config);
            if (HfConfig.isEncoderDecoder(architecture)) {
                encoderDecoder = EncoderDecoderInspection.of(source.name(), architecture, seqLen, batchSize);
            } else {
                inspection = ModelInspection.of(source.name(), architecture, seqLen, batchSize);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new UserError(source.name() + ": " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (encoderDecoder != null) {
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(encoderDecoder.toJson()));
            } else {
                encoderDecoder.printText(out);
            }
            out.flush();
            return ExitCodes.OK;
        }
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(inspection.toJson()));
        } else {
            printText(out, inspection);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void printText(PrintWriter out, ModelInspection inspection) {
        ModelShape s = inspection.shape();
        ArchitectureMath math = inspection.math();
        ParameterCount p = math.parameters();
        out.printf("model       %s from %s%n", s.modelType(), inspection.source());
        out.printf("shape       %d layers, hidden %d, %d heads (%d kv, head dim %d), intermediate %d, vocab %d%s%n",
                s.numLayers(), s.hiddenSize(), s.numHeads(), s.numKvHeads(), s.headDim(), s.intermediateSize(),
                s.vocabSize(), s.tiedEmbeddings() ? ", tied head" : ", separate head");
        out.printf("parameters  %,d total = %,d embedding + %,d non-embedding%n", p.total(), p.embedding(),
                p.nonEmbedding());
        out.printf("            attention %,d, mlp %,d, norms %,d, lm head %,d%n", p.attention(), p.mlp(), p.norms(),
                p.lmHead());
        StringBuilder weights = new StringBuilder();
        StringBuilder kv = new StringBuilder();
        for (Precision precision : Precision.values()) {
            weights.append(String.format("  %s %s", precision.label(), bytes(math.weightBytes(precision))));
            kv.append(String.format("  %s %s", precision.label(), bytes(math.kvCacheBytesPerToken(precision))));
        }
        out.println("weights   " + weights);
        out.println("KV/token  " + kv);
        out.printf("%nFLOPs of one forward pass over T=%d tokens x B=%d sequences (1 MAC = 2 FLOPs):%n",
                inspection.seqLen(), inspection.batchSize());
        out.printf("  %-22s %18s %18s %16s %20s%n", "method", "FLOPs", "MACs", "FLOPs/token",
                "decode step at T");
        for (FlopsMethod method : FlopsMethod.values()) {
            Macs macs = math.forward(method, inspection.seqLen(), inspection.batchSize());
            out.printf("  %-22s %18.4e %18.4e %16.4e %20.4e%n", method.label(), (double) macs.flops(),
                    (double) macs.total(), macs.flops() / ((double) inspection.seqLen() * inspection.batchSize()),
                    (double) math.decodeStep(method, inspection.seqLen()).flops());
        }
    }

    static String bytes(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.2f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format("%.1f MiB", bytes / (double) (1L << 20));
        }
        if (bytes >= 1L << 10) {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return bytes + " B";
    }
}
