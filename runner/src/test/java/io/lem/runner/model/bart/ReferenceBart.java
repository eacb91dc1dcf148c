package io.lem.runner.model.bart;

import io.lem.runner.engine.TestWeights;

import java.util.Map;

/**
 * An independent float64 BART forward pass in plain Java, written from the architecture's definition (HF
 * BartForConditionalGeneration): embeddings × (√d if scale_embedding) plus learned positions at row position + 2,
 * layernorm_embedding, post-LayerNorm layers (x = LN(x + attn(x)), decoder x = LN(x + cross(x)), x = LN(x +
 * fc2(gelu(fc1(x))))), scores scaled by head_dim^-0.5, logits = x · sharedᵀ + final_logits_bias. Sequence by sequence,
 * unpadded, no cache; shares no code with the engine.
 */
public final class ReferenceBart {

    private static final double EPS = 1e-5;

    private final TestWeights w;
    private final int d;
    private final int encHeads;
    private final int decHeads;
    private final int encLayers;
    private final int decLayers;
    private final int vocab;
    private final double embedScale;

    public ReferenceBart(Map<String, Object> c, TestWeights weights) {
        w = weights;
        d = num(c, "d_model");
        encHeads = num(c, "encoder_attention_heads");
        decHeads = num(c, "decoder_attention_heads");
        encLayers = num(c, "encoder_layers");
        decLayers = num(c, "decoder_layers");
        vocab = num(c, "vocab_size");
        embedScale = Boolean.TRUE.equals(c.get("scale_embedding")) ? Math.sqrt(d) : 1.0;
    }

    private static int num(Map<String, Object> c, String k) {
        return ((Number) c.get(k)).intValue();
    }

    /** Logits {@code [decoderInput.length][vocab]}: row i predicts the token after decoderInput[i]. */
    public double[][] logits(int[] source, int[] decoderInput) {
        double[][] enc = embed(source, "model.encoder.");
        for (int l = 0; l < encLayers; l++) {
            String p = "model.encoder.layers." + l + ".";
            enc = layerNorm(add(enc, attention(enc, enc, p + "self_attn.", encHeads, false)),
                    p + "self_attn_layer_norm");
            enc = layerNorm(add(enc, feedForward(enc, p)), p + "final_layer_norm");
        }
        double[][] x = embed(decoderInput, "model.decoder.");
        for (int l = 0; l < decLayers; l++) {
            String p = "model.decoder.layers." + l + ".";
            x = layerNorm(add(x, attention(x, x, p + "self_attn.", decHeads, true)), p + "self_attn_layer_norm");
            x = layerNorm(add(x, attention(x, enc, p + "encoder_attn.", decHeads, false)),
                    p + "encoder_attn_layer_norm");
            x = layerNorm(add(x, feedForward(x, p)), p + "final_layer_norm");
        }
        float[] shared = w.get("model.shared.weight");
        float[] bias = w.get("final_logits_bias");
        double[][] out = new double[x.length][vocab];
        for (int t = 0; t < x.length; t++) {
            for (int v = 0; v < vocab; v++) {
                double s = bias[v];
                for (int i = 0; i < d; i++) {
                    s += shared[v * d + i] * x[t][i];
                }
                out[t][v] = s;
            }
        }
        return out;
    }

    private double[][] embed(int[] ids, String stack) {
        float[] e = w.get("model.shared.weight");
        float[] pos = w.get(stack + "embed_positions.weight");
        double[][] x = new double[ids.length][d];
        for (int t = 0; t < ids.length; t++) {
            for (int i = 0; i < d; i++) {
                x[t][i] = e[ids[t] * d + i] * embedScale + pos[(t + 2) * d + i];
            }
        }
        return layerNorm(x, stack + "layernorm_embedding");
    }

    private double[][] attention(double[][] xq, double[][] xkv, String p, int heads, boolean causal) {
        int hd = d / heads;
        double[][] q = linear(xq, p + "q_proj");
        double[][] k = linear(xkv, p + "k_proj");
        double[][] v = linear(xkv, p + "v_proj");
        double[][] merged = new double[xq.length][d];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < xq.length; i++) {
                int keys = causal ? i + 1 : xkv.length;
                double[] s = new double[keys];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) {
                    double dot = 0;
                    for (int c = 0; c < hd; c++) {
                        dot += q[i][h * hd + c] * k[j][h * hd + c];
                    }
                    s[j] = dot / Math.sqrt(hd);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < keys; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j < keys; j++) {
                    for (int c = 0; c < hd; c++) {
                        merged[i][h * hd + c] += s[j] / sum * v[j][h * hd + c];
                    }
                }
            }
        }
        return linear(merged, p + "out_proj");
    }

    private double[][] feedForward(double[][] x, String p) {
        double[][] up = linear(x, p + "fc1");
        for (double[] row : up) {
            for (int i = 0; i < row.length; i++) {
                row[i] = gelu(row[i]);
            }
        }
        return linear(up, p + "fc2");
    }

    /** Exact GELU, x·Φ(x), with Φ from a high-precision erf. */
    private static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** erf by its Taylor series for |x| < 3, by the continued fraction of erfc beyond (|error| < 1e-13). */
    static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200; n++) {
                term *= -ax * ax / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17) {
                    break;
                }
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
            double f = ax;
            for (int n = 60; n >= 1; n--) {
                f = ax + (n / 2.0) / f;
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }

    private double[][] layerNorm(double[][] x, String name) {
        float[] g = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        double[][] y = new double[x.length][d];
        for (int t = 0; t < x.length; t++) {
            double mean = 0;
            for (double v : x[t]) {
                mean += v;
            }
            mean /= d;
            double var = 0;
            for (double v : x[t]) {
                var += (v - mean) * (v - mean);
            }
            var /= d;
            for (int i = 0; i < d; i++) {
                y[t][i] = (x[t][i] - mean) / Math.sqrt(var + EPS) * g[i] + b[i];
            }
        }
        return y;
    }

    /** {@code x · Wᵀ + b} with W stored {@code [out, in]}. */
    private double[][] linear(double[][] x, String name) {
        float[] m = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        int in = x[0].length;
        int out = b.length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = b[o];
                for (int i = 0; i < in; i++) {
                    s += m[o * in + i] * x[t][i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private static double[][] add(double[][] x, double[][] y) {
        double[][] z = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            z[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) {
                z[t][i] = x[t][i] + y[t][i];
            }
        }
        return z;
    }
}
