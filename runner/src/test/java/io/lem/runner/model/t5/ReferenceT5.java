package io.lem.runner.model.t5;

import io.lem.runner.engine.TestWeights;

import java.util.Map;

/**
 * An independent float64 T5 forward pass in plain Java, written from the architecture's definition (HF
 * T5ForConditionalGeneration): T5LayerNorm = x / sqrt(mean(x²) + eps) · g (no mean, no bias); attention without score
 * scaling, plus the relative position bias of block 0's table (bidirectional buckets in the encoder, causal ones in
 * the decoder, none in cross-attention); relu or gated feed-forward; tied head scaled by d_model^-0.5. Sequence by
 * sequence, unpadded, no cache; shares no code with the engine.
 */
public final class ReferenceT5 {

    private final TestWeights w;
    private final int d;
    private final int dKv;
    private final int heads;
    private final int encLayers;
    private final int decLayers;
    private final int vocab;
    private final int buckets;
    private final int maxDistance;
    private final double eps;
    private final String ff;
    private final boolean tied;

    public ReferenceT5(Map<String, Object> c, TestWeights weights) {
        w = weights;
        d = num(c, "d_model");
        dKv = num(c, "d_kv");
        heads = num(c, "num_heads");
        encLayers = num(c, "num_layers");
        decLayers = c.containsKey("num_decoder_layers") ? num(c, "num_decoder_layers") : encLayers;
        vocab = num(c, "vocab_size");
        buckets = num(c, "relative_attention_num_buckets");
        maxDistance = num(c, "relative_attention_max_distance");
        eps = ((Number) c.get("layer_norm_epsilon")).doubleValue();
        ff = (String) c.get("feed_forward_proj");
        tied = !Boolean.FALSE.equals(c.get("tie_word_embeddings"));
    }

    private static int num(Map<String, Object> c, String k) {
        return ((Number) c.get(k)).intValue();
    }

    /** Logits {@code [decoderInput.length][vocab]}: row i predicts the token after decoderInput[i]. */
    public double[][] logits(int[] source, int[] decoderInput) {
        double[][] enc = embed(source);
        for (int l = 0; l < encLayers; l++) {
            String p = "encoder.block." + l + ".layer.";
            double[][] h = norm(enc, p + "0.layer_norm.weight");
            addAll(enc, attention(h, h, p + "0.SelfAttention.", bias("encoder", source.length, source.length, true),
                    false));
            addAll(enc, feedForward(norm(enc, p + "1.layer_norm.weight"), p + "1.DenseReluDense."));
        }
        enc = norm(enc, "encoder.final_layer_norm.weight");

        int n = decoderInput.length;
        double[][] x = embed(decoderInput);
        for (int l = 0; l < decLayers; l++) {
            String p = "decoder.block." + l + ".layer.";
            double[][] h = norm(x, p + "0.layer_norm.weight");
            addAll(x, attention(h, h, p + "0.SelfAttention.", bias("decoder", n, n, false), true));
            h = norm(x, p + "1.layer_norm.weight");
            addAll(x, attention(h, enc, p + "1.EncDecAttention.", null, false));
            addAll(x, feedForward(norm(x, p + "2.layer_norm.weight"), p + "2.DenseReluDense."));
        }
        x = norm(x, "decoder.final_layer_norm.weight");
        float[] head = w.get(tied ? "shared.weight" : "lm_head.weight");
        double scale = tied ? 1 / Math.sqrt(d) : 1;
        double[][] out = new double[n][vocab];
        for (int t = 0; t < n; t++) {
            for (int v = 0; v < vocab; v++) {
                double s = 0;
                for (int i = 0; i < d; i++) {
                    s += head[v * d + i] * x[t][i] * scale;
                }
                out[t][v] = s;
            }
        }
        return out;
    }

    /** The largest |value| of the encoder's residual stream after any sublayer (before the final norm). */
    double maxAbsEncoderActivation(int[] source) {
        double max = 0;
        double[][] enc = embed(source);
        for (int l = 0; l < encLayers; l++) {
            String p = "encoder.block." + l + ".layer.";
            double[][] h = norm(enc, p + "0.layer_norm.weight");
            addAll(enc, attention(h, h, p + "0.SelfAttention.", bias("encoder", source.length, source.length, true),
                    false));
            max = Math.max(max, maxAbs(enc));
            addAll(enc, feedForward(norm(enc, p + "1.layer_norm.weight"), p + "1.DenseReluDense."));
            max = Math.max(max, maxAbs(enc));
        }
        return max;
    }

    private static double maxAbs(double[][] x) {
        double max = 0;
        for (double[] row : x) {
            for (double v : row) {
                max = Math.max(max, Math.abs(v));
            }
        }
        return max;
    }

    private double[][] embed(int[] ids) {
        float[] e = w.get("shared.weight");
        double[][] x = new double[ids.length][d];
        for (int t = 0; t < ids.length; t++) {
            for (int i = 0; i < d; i++) {
                x[t][i] = e[ids[t] * d + i];
            }
        }
        return x;
    }

    /** bias[h][q][k] from block 0's table of {@code stack}. */
    private double[][][] bias(String stack, int queries, int keys, boolean bidirectional) {
        float[] table = w.get(stack + ".block.0.layer.0.SelfAttention.relative_attention_bias.weight");
        double[][][] b = new double[heads][queries][keys];
        for (int q = 0; q < queries; q++) {
            for (int k = 0; k < keys; k++) {
                int bucket = relativeBucket(k - q, bidirectional);
                for (int h = 0; h < heads; h++) {
                    b[h][q][k] = table[bucket * heads + h];
                }
            }
        }
        return b;
    }

    /** HF's _relative_position_bucket for relative_position = memory - context (float32 log, truncation). */
    private int relativeBucket(int relativePosition, boolean bidirectional) {
        int numBuckets = buckets;
        int result = 0;
        int rp;
        if (bidirectional) {
            numBuckets = numBuckets / 2;
            result += relativePosition > 0 ? numBuckets : 0;
            rp = Math.abs(relativePosition);
        } else {
            rp = Math.max(-relativePosition, 0);
        }
        int maxExact = numBuckets / 2;
        if (rp < maxExact) {
            return result + rp;
        }
        float logRatio = (float) Math.log((float) rp / (float) maxExact);
        float large = logRatio / (float) Math.log(maxDistance / (double) maxExact) * (float) (numBuckets - maxExact);
        long ifLarge = maxExact + (long) large;
        return result + (int) Math.min(ifLarge, numBuckets - 1);
    }

    private double[][] attention(double[][] xq, double[][] xkv, String p, double[][][] bias, boolean causal) {
        int inner = heads * dKv;
        double[][] q = linear(xq, p + "q.weight", inner);
        double[][] k = linear(xkv, p + "k.weight", inner);
        double[][] v = linear(xkv, p + "v.weight", inner);
        double[][] merged = new double[xq.length][inner];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < xq.length; i++) {
                int keys = causal ? i + 1 : xkv.length;
                double[] s = new double[keys];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) {
                    double dot = 0;
                    for (int c = 0; c < dKv; c++) {
                        dot += q[i][h * dKv + c] * k[j][h * dKv + c];
                    }
                    s[j] = dot + (bias == null ? 0 : bias[h][i][j]);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < keys; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int j = 0; j < keys; j++) {
                    for (int c = 0; c < dKv; c++) {
                        merged[i][h * dKv + c] += s[j] / sum * v[j][h * dKv + c];
                    }
                }
            }
        }
        return linear(merged, p + "o.weight", d);
    }

    private double[][] feedForward(double[][] h, String p) {
        int dFf = (int) (w.get(p + "wo.weight").length / d);
        if (ff.startsWith("gated-")) {
            double[][] a = linear(h, p + "wi_0.weight", dFf);
            double[][] b = linear(h, p + "wi_1.weight", dFf);
            for (int t = 0; t < h.length; t++) {
                for (int i = 0; i < dFf; i++) {
                    a[t][i] = act(a[t][i]) * b[t][i];
                }
            }
            return linear(a, p + "wo.weight", d);
        }
        double[][] a = linear(h, p + "wi.weight", dFf);
        for (double[] row : a) {
            for (int i = 0; i < dFf; i++) {
                row[i] = act(row[i]);
            }
        }
        return linear(a, p + "wo.weight", d);
    }

    private double act(double x) {
        switch (ff) {
            case "relu":
                return Math.max(0, x);
            case "gated-gelu": // gelu_new
                return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case "gated-silu":
                return x / (1 + Math.exp(-x));
            default:
                throw new IllegalArgumentException(ff);
        }
    }

    private double[][] norm(double[][] x, String name) {
        float[] g = w.get(name);
        double[][] y = new double[x.length][d];
        for (int t = 0; t < x.length; t++) {
            double ms = 0;
            for (double v : x[t]) {
                ms += v * v;
            }
            ms /= d;
            for (int i = 0; i < d; i++) {
                y[t][i] = x[t][i] / Math.sqrt(ms + eps) * g[i];
            }
        }
        return y;
    }

    /** {@code x · Wᵀ} with W stored {@code [out, in]}. */
    private double[][] linear(double[][] x, String name, int out) {
        float[] m = w.get(name);
        int in = x[0].length;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += m[o * in + i] * x[t][i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private static void addAll(double[][] x, double[][] y) {
        for (int t = 0; t < x.length; t++) {
            for (int i = 0; i < x[t].length; i++) {
                x[t][i] += y[t][i];
            }
        }
    }
}
