package io.lem.plugins.flops;

/** What one generated sequence costs, by architecture: {@link ArchitectureMath} or {@link EncoderDecoderMath}. */
public interface SequenceMath {

    /** MACs of one sequence with {@code inputTokens} prompt tokens that generated {@code generatedTokens} tokens. */
    Macs sequence(FlopsMethod method, long inputTokens, long generatedTokens);
}
