package io.lem.cli.model;

import io.lem.api.flops.ModelArchitecture;
import io.lem.plugins.flops.EncoderDecoderMath;
import io.lem.plugins.flops.EncoderDecoderShape;
import io.lem.plugins.flops.FlopsMethod;
import io.lem.plugins.flops.HfConfig;
import io.lem.plugins.flops.Macs;
import io.lem.plugins.flops.ParameterCount;
import io.lem.plugins.flops.Precision;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code lem model inspect} reports about an encoder-decoder model (T5, BART) from its {@code config.json}:
 * shape per stack, exact parameter counts (encoder and decoder apart), weight and cache bytes, and FLOPs of the
 * encoder and of the decoder apart: the encoder over T input tokens, the decoder generating T tokens from them (T
 * decoder positions, with the cross-attention keys and values of the T inputs), and one decoder step at position T.
 * {@link #toJson()} is the documented JSON (README, "lem model inspect").
 */
record EncoderDecoderInspection(String source, ModelArchitecture architecture, EncoderDecoderShape shape, int seqLen,
        int batchSize) {

    static EncoderDecoderInspection of(String source, ModelArchitecture architecture, int seqLen, int batchSize) {
        return new EncoderDecoderInspection(source, architecture, HfConfig.encoderDecoderShapeOf(architecture), seqLen,
                batchSize);
    }

    EncoderDecoderMath math() {
        return new EncoderDecoderMath(shape);
    }

    Macs encoder(FlopsMethod method) {
        return math().encoder(method, seqLen).times(batchSize);
    }

    Macs decoder(FlopsMethod method) {
        return math().decoder(method, seqLen, seqLen).times(batchSize);
    }

    /** One decoder position at 0-based position T after a T-token input, without the cross keys/values projection. */
    long decoderStepFlops(FlopsMethod method) {
        EncoderDecoderMath m = math();
        return m.decoder(method, seqLen, seqLen + 1L).flops() - m.decoder(method, seqLen, seqLen).flops();
    }

    Map<String, Object> toJson() {
        EncoderDecoderMath math = math();
        ParameterCount p = math.parameters();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", source);
        out.put("model_type", shape.modelType());
        out.put("architectures", architecture.config().get("architectures"));
        out.put("encoder_decoder", true);
        Map<String, Object> dims = new LinkedHashMap<>();
        dims.put("hidden_size", shape.hiddenSize());
        dims.put("vocab_size", shape.vocabSize());
        dims.put("learned_positions", shape.learnedPositions());
        dims.put("relative_attention_buckets", shape.relativeBuckets());
        dims.put("tied_embeddings", shape.tiedEmbeddings());
        dims.put("mlp", shape.mlp().name().toLowerCase());
        dims.put("norm", shape.norm().name().toLowerCase());
        dims.put("encoder", Map.of("num_layers", shape.encoderLayers(), "num_heads", shape.encoderHeads(),
                "head_dim", shape.encoderHeadDim(), "intermediate_size", shape.encoderFfn()));
        dims.put("decoder", Map.of("num_layers", shape.decoderLayers(), "num_heads", shape.decoderHeads(),
                "head_dim", shape.decoderHeadDim(), "intermediate_size", shape.decoderFfn()));
        out.put("shape", dims);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("total", p.total());
        params.put("embedding", p.embedding());
        params.put("non_embedding", p.nonEmbedding());
        params.put("token_embedding", p.tokenEmbedding());
        params.put("position_embedding", p.positionEmbedding());
        params.put("encoder", math.encoderParameters());
        params.put("decoder", math.decoderParameters());
        params.put("attention", p.attention());
        params.put("mlp", p.mlp());
        params.put("norms", p.norms());
        params.put("lm_head", p.lmHead());
        out.put("parameters", params);
        Map<String, Object> weights = new LinkedHashMap<>();
        Map<String, Object> kv = new LinkedHashMap<>();
        Map<String, Object> cross = new LinkedHashMap<>();
        for (Precision precision : Precision.values()) {
            weights.put(precision.label(), math.weightBytes(precision));
            kv.put(precision.label(), math.kvCacheBytesPerToken(precision));
            cross.put(precision.label(), math.crossKvBytesPerInputToken(precision));
        }
        out.put("weight_bytes", weights);
        out.put("kv_cache_bytes_per_token", kv);
        out.put("cross_kv_bytes_per_input_token", cross);
        Map<String, Object> flops = new LinkedHashMap<>();
        flops.put("seq_len", seqLen);
        flops.put("batch_size", batchSize);
        Map<String, Object> methods = new LinkedHashMap<>();
        for (FlopsMethod method : FlopsMethod.values()) {
            Macs encoder = encoder(method);
            Macs decoder = decoder(method);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("flops", encoder.plus(decoder).flops());
            m.put("macs", encoder.plus(decoder).total());
            m.put("encoder", part(encoder));
            m.put("decoder", part(decoder));
            m.put("decoder_step_flops_at_seq_len", decoderStepFlops(method));
            methods.put(method.label(), m);
        }
        flops.put("generate", methods);
        out.put("flops", flops);
        return out;
    }

    private static Map<String, Object> part(Macs macs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("flops", macs.flops());
        m.put("macs", macs.total());
        m.put("breakdown_flops", macs.breakdownFlops());
        return m;
    }

    void printText(PrintWriter out) {
        EncoderDecoderMath math = math();
        ParameterCount p = math.parameters();
        out.printf("model       %s (encoder-decoder) from %s%n", shape.modelType(), source);
        out.printf("encoder     %d layers, hidden %d, %d heads (head dim %d), intermediate %d%n",
                shape.encoderLayers(), shape.hiddenSize(), shape.encoderHeads(), shape.encoderHeadDim(),
                shape.encoderFfn());
        out.printf("decoder     %d layers, hidden %d, %d heads (head dim %d), intermediate %d, vocab %d%s%n",
                shape.decoderLayers(), shape.hiddenSize(), shape.decoderHeads(), shape.decoderHeadDim(),
                shape.decoderFfn(), shape.vocabSize(), shape.tiedEmbeddings() ? ", tied head" : ", separate head");
        out.printf("parameters  %,d total = %,d shared embedding + %,d encoder + %,d decoder%n", p.total(),
                p.tokenEmbedding(), math.encoderParameters(), math.decoderParameters());
        out.printf("            attention %,d, mlp %,d, norms %,d, positions %,d, lm head %,d%n", p.attention(),
                p.mlp(), p.norms(), p.positionEmbedding(), p.lmHead());
        StringBuilder weights = new StringBuilder();
        StringBuilder kv = new StringBuilder();
        for (Precision precision : Precision.values()) {
            weights.append(String.format("  %s %s", precision.label(), ModelCommand.bytes(math.weightBytes(precision))));
            kv.append(String.format("  %s %s", precision.label(),
                    ModelCommand.bytes(math.kvCacheBytesPerToken(precision))));
        }
        out.println("weights   " + weights);
        out.println("KV/token  " + kv + "  (decoder self-attention; the same per input token for cross-attention)");
        out.printf("%nFLOPs of generating T=%d tokens from T=%d input tokens x B=%d sequences (1 MAC = 2 FLOPs):%n",
                seqLen, seqLen, batchSize);
        out.printf("  %-22s %18s %18s %18s %20s%n", "method", "FLOPs", "encoder", "decoder", "decoder step at T");
        for (FlopsMethod method : FlopsMethod.values()) {
            Macs encoder = encoder(method);
            Macs decoder = decoder(method);
            out.printf("  %-22s %18.4e %18.4e %18.4e %20.4e%n", method.label(), (double) encoder.plus(decoder).flops(),
                    (double) encoder.flops(), (double) decoder.flops(), (double) decoderStepFlops(method));
        }
    }
}
