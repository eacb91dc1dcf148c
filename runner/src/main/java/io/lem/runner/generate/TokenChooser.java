package io.lem.runner.generate;

import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Chooses the next token from one row of last-position logits, on the JVM (the logits arrive in one bulk copy per
 * step). Order of processing as in HuggingFace: EOS suppression (min new tokens), then for sampling temperature,
 * top-k, top-p, and a draw. Greedy decoding takes the first maximum.
 */
public final class TokenChooser {

    private final boolean sample;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final int[] eos;
    private final int minNewTokens;

    public TokenChooser(GenerationConfig config) {
        this.sample = config.doSample();
        this.temperature = config.temperature();
        this.topK = config.topK();
        this.topP = config.topP();
        this.eos = config.eosTokenIds().stream().mapToInt(Integer::intValue).toArray();
        this.minNewTokens = config.minNewTokens();
    }

    /**
     * The next token of a sequence.
     *
     * @param logits    row-major logits of the batch (modified: suppressed EOS entries become -inf)
     * @param offset    start of this sequence's row
     * @param vocab     row length
     * @param generated tokens this sequence has generated so far
     * @param random    the sequence's random stream (unused when greedy)
     */
    public int choose(float[] logits, int offset, int vocab, int generated, SplittableRandom random) {
        if (generated < minNewTokens) {
            for (int id : eos) {
                if (id >= 0 && id < vocab) {
                    logits[offset + id] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return sample ? draw(logits, offset, vocab, random) : argmax(logits, offset, vocab);
    }

    static int argmax(float[] logits, int offset, int vocab) {
        int best = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float v = logits[offset + i];
            if (v > max) {
                max = v;
                best = i;
            }
        }
        return best;
    }

    private int draw(float[] logits, int offset, int vocab, SplittableRandom random) {
        // candidates: the top-k (or every token), with probabilities softmax(logits / temperature)
        int[] ids = topK > 0 && topK < vocab ? topKIds(logits, offset, vocab, topK) : identity(vocab);
        double max = Double.NEGATIVE_INFINITY;
        for (int id : ids) {
            max = Math.max(max, logits[offset + id]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return argmax(logits, offset, vocab); // everything suppressed: nothing sensible to draw from
        }
        double[] p = new double[ids.length];
        double sum = 0;
        for (int i = 0; i < ids.length; i++) {
            p[i] = Math.exp((logits[offset + ids[i]] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        if (topP < 1.0) {
            int[] order = nucleus(p, topP);
            int[] keptIds = new int[order.length];
            double[] keptP = new double[order.length];
            for (int i = 0; i < order.length; i++) {
                keptIds[i] = ids[order[i]];
                keptP[i] = p[order[i]];
            }
            ids = keptIds;
            p = keptP;
        }
        double total = 0;
        for (double v : p) {
            total += v;
        }
        double u = random.nextDouble() * total;
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i];
            if (u < acc) {
                return ids[i];
            }
        }
        for (int i = p.length - 1; i >= 0; i--) {
            if (p[i] > 0) {
                return ids[i];
            }
        }
        return ids[0];
    }

    /**
     * Indices (into {@code p}) of the smallest set of most likely entries whose mass reaches {@code topP}, most likely
     * first; at least one. Only entries above a falling threshold are sorted, never the whole vocabulary unless the
     * distribution is nearly flat.
     */
    static int[] nucleus(double[] p, double topP) {
        double threshold = 1.0 / p.length;
        while (true) {
            int count = 0;
            double mass = 0;
            for (double v : p) {
                if (v >= threshold) {
                    count++;
                    mass += v;
                }
            }
            if (mass >= topP || threshold == 0) {
                Integer[] sel = new Integer[count];
                int n = 0;
                for (int i = 0; i < p.length; i++) {
                    if (p[i] >= threshold) {
                        sel[n++] = i;
                    }
                }
                Arrays.sort(sel, (a, b) -> Double.compare(p[b], p[a]));
                double acc = 0;
                int keep = 0;
                while (keep < sel.length) {
                    acc += p[sel[keep]];
                    keep++;
                    if (acc >= topP) {
                        break;
                    }
                }
                int[] out = new int[Math.max(1, keep)];
                for (int i = 0; i < out.length; i++) {
                    out[i] = sel[i];
                }
                return out;
            }
            threshold = threshold < 1e-300 ? 0 : threshold / 16;
        }
    }

    /** The ids of the k largest logits (ties: lower id first), in no particular order. */
    static int[] topKIds(float[] logits, int offset, int vocab, int k) {
        PriorityQueue<Integer> heap = new PriorityQueue<>(k + 1, (a, b) -> {
            int c = Float.compare(logits[offset + a], logits[offset + b]);
            return c != 0 ? c : Integer.compare(b, a);
        });
        for (int i = 0; i < vocab; i++) {
            if (heap.size() < k) {
                heap.add(i);
            } else if (logits[offset + i] > logits[offset + heap.peek()]) {
                heap.poll();
                heap.add(i);
            }
        }
        int[] out = new int[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) {
            out[i] = heap.poll();
        }
        return out;
    }

    private static int[] identity(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return ids;
    }
}
