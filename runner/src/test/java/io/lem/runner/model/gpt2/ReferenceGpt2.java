package io.lem.runner.model.gpt2;

import io.lem.runner.engine.TestWeights;

import java.util.Map;

/**
 * An independent float64 GPT-2 forward pass in plain Java, from the architecture's definition (HF GPT2LMHeadModel:
 * Conv1D weights {@code [in, out]}, pre-LayerNorm, gelu_new, learned positions, tied head), token by token, sharing no
 * code with the engine.
 */
final class ReferenceGpt2 {

    private final TestWeights w;
    private final String pre;
    private final int hidden;
    private final int heads;
    private final int layers;
    private final int vocab;
    private final int inner;
    private final double eps;

    ReferenceGpt2(Map<String, Object> c, TestWeights weights) {
        this.w = weights;
        pre = weights.names().contains("transformer.wte.weight") ? "transformer." : "";
        hidden = ((Number) c.get("n_embd")).intValue();
        heads = ((Number) c.get("n_head")).intValue();
        layers = ((Number) c.get("n_layer")).intValue();
        vocab = ((Number) c.get("vocab_size")).intValue();
        inner = c.get("n_inner") == null ? 4 * hidden : ((Number) c.get("n_inner")).intValue();
        eps = ((Number) c.get("layer_norm_epsilon")).doubleValue();
    }

    double[][] logits(int[] tokens) {
        int n = tokens.length;
        int hd = hidden / heads;
        float[] wte = w.get(pre + "wte.weight");
        float[] wpe = w.get(pre + "wpe.weight");
        double[][] x = new double[n][hidden];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < hidden; i++) {
                x[t][i] = wte[tokens[t] * hidden + i] + wpe[t * hidden + i];
            }
        }
        for (int l = 0; l < layers; l++) {
            String p = pre + "h." + l + ".";
            double[][] qkv = new double[n][];
            for (int t = 0; t < n; t++) {
                qkv[t] = conv1d(p + "attn.c_attn", layerNorm(x[t], p + "ln_1"), 3 * hidden);
            }
            for (int t = 0; t < n; t++) {
                double[] merged = new double[hidden];
                for (int h = 0; h < heads; h++) {
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double dot = 0;
                        for (int i = 0; i < hd; i++) {
                            dot += qkv[t][h * hd + i] * qkv[j][hidden + h * hd + i];
                        }
                        s[j] = dot / Math.sqrt(hd);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= t; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) {
                            merged[h * hd + i] += s[j] / sum * qkv[j][2 * hidden + h * hd + i];
                        }
                    }
                }
                add(x[t], conv1d(p + "attn.c_proj", merged, hidden));
            }
            for (int t = 0; t < n; t++) {
                double[] up = conv1d(p + "mlp.c_fc", layerNorm(x[t], p + "ln_2"), inner);
                for (int i = 0; i < inner; i++) {
                    double v = up[i];
                    up[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                }
                add(x[t], conv1d(p + "mlp.c_proj", up, hidden));
            }
        }
        double[][] out = new double[n][vocab];
        for (int t = 0; t < n; t++) {
            double[] f = layerNorm(x[t], pre + "ln_f");
            for (int v = 0; v < vocab; v++) {
                double s = 0;
                for (int i = 0; i < hidden; i++) {
                    s += wte[v * hidden + i] * f[i];
                }
                out[t][v] = s;
            }
        }
        return out;
    }

    private double[] layerNorm(double[] x, String name) {
        float[] g = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= x.length;
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (x[i] - mean) / Math.sqrt(var + eps) * g[i] + b[i];
        }
        return y;
    }

    /** Conv1D: {@code x · W + b} with W stored {@code [in, out]}. */
    private double[] conv1d(String name, double[] x, int out) {
        float[] m = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        double[] y = new double[out];
        for (int o = 0; o < out; o++) {
            y[o] = b[o];
        }
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < out; o++) {
                y[o] += x[i] * m[i * out + o];
            }
        }
        return y;
    }

    private static void add(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            a[i] += b[i];
        }
    }
}
