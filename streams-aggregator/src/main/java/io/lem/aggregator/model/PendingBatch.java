package io.lem.aggregator.model;

import java.util.Map;
import java.util.TreeMap;

/**
 * Per-batch figures that arrived before anything said whether their batch is a warm-up batch ({@code PrefillCompleted},
 * {@code TokensGenerated} and per-batch {@code FlopsEstimate} carry no warm-up flag; only {@code BatchStarted} and
 * {@code BatchCompleted} do). Held until the batch is resolved, then folded into the measured totals or dropped. In
 * the usual in-order flow {@code BatchStarted} comes first and nothing is ever pending.
 */
final class PendingBatch {
    final LatencyHistogram ttft;
    final LatencyHistogram itl;
    long decodeTokens;
    long decodeSteps;
    final TreeMap<String, FlopsSum> flops;

    PendingBatch() {
        this(new LatencyHistogram(), new LatencyHistogram(), 0, 0, new TreeMap<>());
    }

    private PendingBatch(LatencyHistogram ttft, LatencyHistogram itl, long decodeTokens, long decodeSteps,
                         TreeMap<String, FlopsSum> flops) {
        this.ttft = ttft;
        this.itl = itl;
        this.decodeTokens = decodeTokens;
        this.decodeSteps = decodeSteps;
        this.flops = flops;
    }

    void write(BinWriter w) {
        ttft.write(w);
        itl.write(w);
        w.uvar(decodeTokens);
        w.uvar(decodeSteps);
        w.uvar(flops.size());
        for (Map.Entry<String, FlopsSum> e : flops.entrySet()) {
            w.str(e.getKey());
            e.getValue().write(w);
        }
    }

    static PendingBatch read(BinReader in) {
        LatencyHistogram ttft = LatencyHistogram.read(in);
        LatencyHistogram itl = LatencyHistogram.read(in);
        long tokens = in.uvar();
        long steps = in.uvar();
        int n = in.uvarInt();
        TreeMap<String, FlopsSum> flops = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            flops.put(in.str(), FlopsSum.read(in));
        }
        return new PendingBatch(ttft, itl, tokens, steps, flops);
    }
}
