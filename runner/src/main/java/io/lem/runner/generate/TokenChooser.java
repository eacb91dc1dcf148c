package io.lem.runner.generate;

import java.util.Arrays;
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

    /**
     * The ids of the k largest logits, largest first (ties: lower id first). A min-heap of primitive ids: a
     * {@code PriorityQueue<Integer>} with a comparator lambda boxed every id, and its JDK sift code is shared with every
     * other user of PriorityQueue in the JVM (the Kafka clients), whose comparators made the call megamorphic in some
     * runs and not in others: the same generation ran 25-35 % slower or faster depending on what compiled first.
     */
    static int[] topKIds(float[] logits, int offset, int vocab, int k) {
        int[] heap = new int[Math.min(k, vocab)];
        int size = 0;
        for (int i = 0; i < vocab; i++) {
            if (size < heap.length) {
                heap[size] = i;
                siftUp(heap, size, logits, offset);
                size++;
            } else if (logits[offset + i] > logits[offset + heap[0]]) {
                heap[0] = i;
                siftDown(heap, size, logits, offset);
            }
        }
        // pop the smallest into the back: largest first
        int[] out = new int[size];
        for (int j = size - 1; j >= 0; j--) {
            out[j] = heap[0];
            size--;
            heap[0] = heap[size];
            siftDown(heap, size, logits, offset);
        }
        return out;
    }

    /** Heap order: the smaller logit, and of equal ones the higher id, is nearer the root. */
    private static boolean below(float[] logits, int offset, int a, int b) {
        int c = Float.compare(logits[offset + a], logits[offset + b]);
        return c != 0 ? c < 0 : a > b;
    }

    private static void siftUp(int[] heap, int at, float[] logits, int offset) {
        int id = heap[at];
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (!below(logits, offset, id, heap[parent])) {
                break;
            }
            heap[at] = heap[parent];
            at = parent;
        }
        heap[at] = id;
    }

    private static void siftDown(int[] heap, int size, float[] logits, int offset) {
        if (size == 0) {
            return;
        }
        int id = heap[0];
        int at = 0;
        int half = size >>> 1;
        while (at < half) {
            int child = 2 * at + 1;
            int right = child + 1;
            if (right < size && below(logits, offset, heap[right], heap[child])) {
                child = right;
            }
            if (!below(logits, offset, heap[child], id)) {
                break;
            }
            heap[at] = heap[child];
            at = child;
        }
        heap[at] = id;
    }

    private static int[] identity(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return ids;
    }
}
