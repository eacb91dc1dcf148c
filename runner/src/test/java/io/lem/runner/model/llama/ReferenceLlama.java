package io.lem.runner.model.llama;

import io.lem.runner.engine.TestWeights;

import java.util.Map;

/**
 * An independent float64 Llama forward pass in plain Java, written from the architecture's definition (HF
 * LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM), token by token, with no tensor library and no shared code
 * with the engine. Slow and simple on purpose: the engine is checked against it.
 */
final class ReferenceLlama {

    private final Map<String, Object> c;
    private final TestWeights w;
    private final int hidden;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int layers;
    private final int vocab;
    private final int inter;
    private final double eps;
    private final double[] invFreq;
    private final int window;

    ReferenceLlama(Map<String, Object> config, TestWeights weights) {
        this.c = config;
        this.w = weights;
        hidden = num("hidden_size").intValue();
        heads = num("num_attention_heads").intValue();
        kvHeads = c.get("num_key_value_heads") == null ? heads : num("num_key_value_heads").intValue();
        headDim = c.get("head_dim") == null ? hidden / heads : num("head_dim").intValue();
        layers = num("num_hidden_layers").intValue();
        vocab = num("vocab_size").intValue();
        inter = num("intermediate_size").intValue();
        eps = num("rms_norm_eps").doubleValue();
        window = "mistral".equals(c.get("model_type")) && c.get("sliding_window") != null
                ? num("sliding_window").intValue() : Integer.MAX_VALUE;
        double theta = c.get("rope_theta") == null ? 10000 : num("rope_theta").doubleValue();
        invFreq = new double[headDim / 2];
        for (int i = 0; i < headDim / 2; i++) {
            invFreq[i] = Math.pow(theta, -(2.0 * i) / headDim);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> scaling = (Map<String, Object>) c.get("rope_scaling");
        if (scaling != null && "llama3".equals(scaling.get("rope_type"))) {
            double factor = ((Number) scaling.get("factor")).doubleValue();
            double low = ((Number) scaling.get("low_freq_factor")).doubleValue();
            double high = ((Number) scaling.get("high_freq_factor")).doubleValue();
            double orig = ((Number) scaling.get("original_max_position_embeddings")).doubleValue();
            for (int i = 0; i < invFreq.length; i++) {
                double wavelen = 2 * Math.PI / invFreq[i];
                if (wavelen < orig / high) {
                    continue; // high frequency: kept
                }
                if (wavelen > orig / low) {
                    invFreq[i] = invFreq[i] / factor; // low frequency: scaled
                } else {
                    double smooth = (orig / wavelen - low) / (high - low);
                    invFreq[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
                }
            }
        } else if (scaling != null && "linear".equals(scaling.get("rope_type"))) {
            double factor = ((Number) scaling.get("factor")).doubleValue();
            for (int i = 0; i < invFreq.length; i++) {
                invFreq[i] /= factor;
            }
        }
    }

    private Number num(String key) {
        return (Number) c.get(key);
    }

    /** Logits at every position of an unpadded sequence, {@code [tokens.length][vocab]}. */
    double[][] logits(int[] tokens) {
        int n = tokens.length;
        double[][] x = new double[n][];
        double[] emb = d(w.get("model.embed_tokens.weight"));
        for (int t = 0; t < n; t++) {
            x[t] = new double[hidden];
            System.arraycopy(emb, tokens[t] * hidden, x[t], 0, hidden);
        }
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            double[][] qs = new double[n][];
            double[][] ks = new double[n][];
            double[][] vs = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], d(w.get(p + "input_layernorm.weight")));
                qs[t] = rope(matVec(p + "self_attn.q_proj", h, heads * headDim), heads, t);
                ks[t] = rope(matVec(p + "self_attn.k_proj", h, kvHeads * headDim), kvHeads, t);
                vs[t] = matVec(p + "self_attn.v_proj", h, kvHeads * headDim);
            }
            for (int t = 0; t < n; t++) {
                double[] concat = new double[heads * headDim];
                for (int hd = 0; hd < heads; hd++) {
                    int g = hd / (heads / kvHeads);
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= t; s++) {
                        if (t - s >= window) {
                            scores[s] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int i = 0; i < headDim; i++) {
                            dot += qs[t][hd * headDim + i] * ks[s][g * headDim + i];
                        }
                        scores[s] = dot / Math.sqrt(headDim);
                        max = Math.max(max, scores[s]);
                    }
                    double sum = 0;
                    for (int s = 0; s <= t; s++) {
                        scores[s] = Math.exp(scores[s] - max);
                        sum += scores[s];
                    }
                    for (int s = 0; s <= t; s++) {
                        for (int i = 0; i < headDim; i++) {
                            concat[hd * headDim + i] += scores[s] / sum * vs[s][g * headDim + i];
                        }
                    }
                }
                add(x[t], matVec(p + "self_attn.o_proj", concat, hidden));
            }
            for (int t = 0; t < n; t++) {
                double[] h = rmsNorm(x[t], d(w.get(p + "post_attention_layernorm.weight")));
                double[] gate = matVec(p + "mlp.gate_proj", h, inter);
                double[] up = matVec(p + "mlp.up_proj", h, inter);
                double[] act = new double[inter];
                for (int i = 0; i < inter; i++) {
                    act[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                }
                add(x[t], matVec(p + "mlp.down_proj", act, hidden));
            }
        }
        String head = w.names().contains("lm_head.weight") ? "lm_head" : "model.embed_tokens";
        double[][] out = new double[n][];
        for (int t = 0; t < n; t++) {
            out[t] = matVec(head, rmsNorm(x[t], d(w.get("model.norm.weight"))), vocab);
        }
        return out;
    }

    /** HF rotate_half convention: pairs (i, i + headDim/2) rotate by position · invFreq[i]. */
    private double[] rope(double[] v, int nHeads, int pos) {
        double[] r = v.clone();
        int half = headDim / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                double a = pos * invFreq[i];
                double x1 = v[h * headDim + i];
                double x2 = v[h * headDim + half + i];
                r[h * headDim + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
                r[h * headDim + half + i] = x2 * Math.cos(a) + x1 * Math.sin(a);
            }
        }
        return r;
    }

    private double[] rmsNorm(double[] x, double[] g) {
        double ss = 0;
        for (double v : x) {
            ss += v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] * inv * g[i];
        }
        return y;
    }

    /** {@code W·x (+ b)} with W stored {@code [out, in]} under {@code name.weight}. */
    private double[] matVec(String name, double[] x, int out) {
        float[] m = w.get(name + ".weight");
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += m[o * x.length + i] * x[i];
            }
            y[o] = s;
        }
        if (w.names().contains(name + ".bias")) {
            float[] b = w.get(name + ".bias");
            for (int o = 0; o < out; o++) {
                y[o] += b[o];
            }
        }
        return y;
    }

    private static void add(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
    }

    private static double[] d(float[] f) {
        double[] r = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            r[i] = f[i];
        }
        return r;
    }
}
