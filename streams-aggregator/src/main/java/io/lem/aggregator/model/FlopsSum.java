package io.lem.aggregator.model;

/**
 * FLOPs of one estimation method summed over estimates (batches, or processes).
 *
 * @param flops     floating-point operations
 * @param macs      multiply-accumulates
 * @param tokens    tokens the estimates cover
 * @param estimates number of estimates summed
 */
public record FlopsSum(double flops, double macs, long tokens, long estimates) {
    public static final FlopsSum ZERO = new FlopsSum(0, 0, 0, 0);

    public FlopsSum plus(FlopsSum o) {
        return new FlopsSum(flops + o.flops, macs + o.macs, tokens + o.tokens, estimates + o.estimates);
    }

    public FlopsSum plus(double f, double m, long t) {
        return new FlopsSum(flops + f, macs + m, tokens + t, estimates + 1);
    }

    void write(BinWriter w) {
        w.f64(flops);
        w.f64(macs);
        w.svar(tokens);
        w.uvar(estimates);
    }

    static FlopsSum read(BinReader in) {
        return new FlopsSum(in.f64(), in.f64(), in.svar(), in.uvar());
    }

    /** Trust order of FLOPs methods: what the engine executed, then analytic (causal, dense), then 2 x params. */
    public static int methodRank(String method) {
        switch (method) {
            case "counted":
                return 0;
            case "architecture-causal":
                return 1;
            case "architecture-dense":
                return 2;
            case "parameter":
                return 3;
            default:
                return 4;
        }
    }
}
