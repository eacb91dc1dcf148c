package io.lem.cli.model;

import io.lem.api.flops.ModelArchitecture;
import io.lem.plugins.flops.ArchitectureMath;
import io.lem.plugins.flops.FlopsMethod;
import io.lem.plugins.flops.HfConfig;
import io.lem.plugins.flops.Macs;
import io.lem.plugins.flops.ModelShape;
import io.lem.plugins.flops.ParameterCount;
import io.lem.plugins.flops.Precision;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@code lem model inspect} reports about a model from its {@code config.json} alone: shape, exact parameter
 * counts, weight and KV-cache bytes per precision, and FLOPs of one forward pass under each named convention.
 * {@link #toJson()} is the documented JSON (README, "lem model inspect").
 */
record ModelInspection(String source, ModelArchitecture architecture, ModelShape shape, int seqLen, int batchSize) {

    static ModelInspection of(String source, ModelArchitecture architecture, int seqLen, int batchSize) {
        return new ModelInspection(source, architecture, HfConfig.shapeOf(architecture), seqLen, batchSize);
    }

    ArchitectureMath math() {
        return new ArchitectureMath(shape);
    }

    Map<String, Object> toJson() {
        ArchitectureMath math = math();
        ParameterCount p = math.parameters();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("source", source);
        out.put("model_type", shape.modelType());
        out.put("architectures", architecture.config().get("architectures"));
        Map<String, Object> dims = new LinkedHashMap<>();
        dims.put("hidden_size", shape.hiddenSize());
        dims.put("num_layers", shape.numLayers());
        dims.put("num_heads", shape.numHeads());
        dims.put("num_kv_heads", shape.numKvHeads());
        dims.put("head_dim", shape.headDim());
        dims.put("intermediate_size", shape.intermediateSize());
        dims.put("vocab_size", shape.vocabSize());
        dims.put("learned_positions", shape.learnedPositions());
        dims.put("tied_embeddings", shape.tiedEmbeddings());
        dims.put("qkv_bias", shape.qkvBias());
        out.put("shape", dims);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("total", p.total());
        params.put("embedding", p.embedding());
        params.put("non_embedding", p.nonEmbedding());
        params.put("token_embedding", p.tokenEmbedding());
        params.put("position_embedding", p.positionEmbedding());
        params.put("attention", p.attention());
        params.put("mlp", p.mlp());
        params.put("norms", p.norms());
        params.put("lm_head", p.lmHead());
        out.put("parameters", params);
        Map<String, Object> weights = new LinkedHashMap<>();
        Map<String, Object> kv = new LinkedHashMap<>();
        for (Precision precision : Precision.values()) {
            weights.put(precision.label(), math.weightBytes(precision));
            kv.put(precision.label(), math.kvCacheBytesPerToken(precision));
        }
        out.put("weight_bytes", weights);
        out.put("kv_cache_bytes_per_token", kv);
        Map<String, Object> flops = new LinkedHashMap<>();
        flops.put("seq_len", seqLen);
        flops.put("batch_size", batchSize);
        Map<String, Object> methods = new LinkedHashMap<>();
        for (FlopsMethod method : FlopsMethod.values()) {
            Macs macs = math.forward(method, seqLen, batchSize);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("flops", macs.flops());
            m.put("macs", macs.total());
            m.put("flops_per_token", macs.flops() / ((double) seqLen * batchSize));
            m.put("breakdown_flops", macs.breakdownFlops());
            m.put("decode_step_flops_at_seq_len", math.decodeStep(method, seqLen).flops());
            methods.put(method.label(), m);
        }
        flops.put("forward", methods);
        out.put("flops", flops);
        return out;
    }
}
