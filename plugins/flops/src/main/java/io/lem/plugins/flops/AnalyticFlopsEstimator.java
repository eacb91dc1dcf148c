package io.lem.plugins.flops;

import io.lem.api.flops.BatchWork;
import io.lem.api.flops.FlopsCount;
import io.lem.api.flops.FlopsEstimator;

import java.util.Objects;

/**
 * FLOPs of generate batches of one model: for each sequence, the prefill of its unpadded prompt plus its decode steps
 * with a KV cache, as {@link ArchitectureMath#sequence} defines them (for encoder-decoders, the encoder pass plus the
 * decoder positions, as {@link EncoderDecoderMath#sequence} does). Padding is not counted: the batch records real
 * token counts, and padded positions do no useful work.
 */
public final class AnalyticFlopsEstimator implements FlopsEstimator {

    private final SequenceMath math;

    public AnalyticFlopsEstimator(SequenceMath math) {
        this.math = Objects.requireNonNull(math, "math");
    }

    public SequenceMath math() {
        return math;
    }

    /**
     * @param method one of {@link FlopsMethod#labels()}; anything else is an {@link IllegalArgumentException}
     */
    @Override
    public FlopsCount estimate(String method, BatchWork batch) {
        FlopsMethod m = FlopsMethod.parse(method);
        Macs total = Macs.ZERO;
        for (int i = 0; i < batch.inputTokens().size(); i++) {
            total = total.plus(math.sequence(m, batch.inputTokens().get(i), batch.outputTokens().get(i)));
        }
        return new FlopsCount(m.label(), total.flops(), total.total(), total.breakdownFlops());
    }
}
