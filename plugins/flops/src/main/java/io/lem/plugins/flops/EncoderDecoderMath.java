package io.lem.plugins.flops;

import java.util.Objects;

/**
 * Parameters, FLOPs, caches and weight sizes of an {@link EncoderDecoderShape}, from its configuration alone; the
 * encoder-decoder counterpart of {@link ArchitectureMath}, shared by the FLOPs plugin and {@code lem model inspect}.
 *
 * <h2>What a generation costs</h2>
 * A sequence with a P-token input that generates N tokens runs the encoder once over its P tokens, projects the
 * encoder output to every decoder layer's cross-attention keys and values once, and runs the decoder at N positions
 * (the start token and the N − 1 generated tokens fed back; the first position belongs to the prefill). MACs:
 * <pre>
 *   encoder, per input token:    attention_linear Le·4·H·qe      mlp Le·m·H·Ie
 *   encoder, per (query, key):   attention_scores Le·2·qe         P² pairs: the encoder attends both ways
 *   cross keys/values, per input token: attention_linear Ld·2·H·qd
 *   decoder, per position p:     attention_linear Ld·6·H·qd (self q,k,v,o; cross q,o)   mlp Ld·m·H·Id
 *                                lm_head H·V      attention_scores Ld·2·qd·(p + 1 + P)
 * </pre>
 * with qe, qd the widths of all encoder / decoder heads. The encoder is bidirectional and every decoder position is a
 * single-token step with a cache, so {@link FlopsMethod#ARCHITECTURE_DENSE} and {@link FlopsMethod#ARCHITECTURE_CAUSAL}
 * agree for encoder-decoders. {@link FlopsMethod#PARAMETER} charges each encoder weight once per input token and each
 * decoder weight (with an untied head) once per decoder position. Biases, norms and the relative position bias are
 * not architecture FLOPs.
 */
public record EncoderDecoderMath(EncoderDecoderShape shape) implements SequenceMath {

    public EncoderDecoderMath {
        Objects.requireNonNull(shape, "shape");
    }

    private long attentionParameters(long inner) {
        long h = shape.hiddenSize();
        return 4 * h * inner + (shape.biases() ? 3 * inner + h : 0);
    }

    private long mlpParameters(long ffn) {
        long h = shape.hiddenSize();
        int m = shape.mlp().matrices();
        return m * h * ffn + (shape.biases() ? (m - 1) * ffn + h : 0);
    }

    private long normVector() {
        return (long) shape.norm().vectors() * shape.hiddenSize();
    }

    /** Per stack: relative bias table, embedding norm and final norm (whichever the architecture has). */
    private long stackExtras(int heads) {
        return (long) shape.relativeBuckets() * heads + (shape.embeddingNorm() ? normVector() : 0)
                + (shape.finalNorm() ? normVector() : 0);
    }

    /** Exact parameter count by component, both stacks together; the relative position bias counts as attention. */
    public ParameterCount parameters() {
        long h = shape.hiddenSize();
        long v = shape.vocabSize();
        long el = shape.encoderLayers();
        long dl = shape.decoderLayers();
        long attention = Math.addExact(Math.multiplyExact(el, attentionParameters(shape.encoderInner())),
                Math.multiplyExact(dl, 2 * attentionParameters(shape.decoderInner())))
                + (long) shape.relativeBuckets() * (shape.encoderHeads() + shape.decoderHeads());
        long mlp = Math.addExact(Math.multiplyExact(el, mlpParameters(shape.encoderFfn())),
                Math.multiplyExact(dl, mlpParameters(shape.decoderFfn())));
        long norms = (2 * el + 3 * dl) * normVector()
                + 2 * ((shape.embeddingNorm() ? normVector() : 0) + (shape.finalNorm() ? normVector() : 0));
        return new ParameterCount(Math.multiplyExact(v, h), 2L * shape.learnedPositions() * h, attention, mlp, norms,
                shape.tiedEmbeddings() ? 0 : Math.multiplyExact(v, h));
    }

    /** The encoder's own parameters: its layers, position table, relative bias and norms (not the shared embedding). */
    public long encoderParameters() {
        return shape.encoderLayers() * (attentionParameters(shape.encoderInner())
                + mlpParameters(shape.encoderFfn()) + 2 * normVector())
                + (long) shape.learnedPositions() * shape.hiddenSize() + stackExtras(shape.encoderHeads());
    }

    /** The decoder's own parameters, with an untied LM head (not the shared embedding). */
    public long decoderParameters() {
        return shape.decoderLayers() * (2 * attentionParameters(shape.decoderInner())
                + mlpParameters(shape.decoderFfn()) + 3 * normVector())
                + (long) shape.learnedPositions() * shape.hiddenSize() + stackExtras(shape.decoderHeads())
                + parameters().lmHead();
    }

    /** The encoder over {@code tokens} input positions of one sequence (P² attention pairs under every method). */
    public Macs encoder(FlopsMethod method, long tokens) {
        nonNegative("tokens", tokens);
        long h = shape.hiddenSize();
        long layers = shape.encoderLayers();
        if (method == FlopsMethod.PARAMETER) {
            return new Macs(Math.multiplyExact(layers * attentionParameters(shape.encoderInner()), tokens), 0,
                    Math.multiplyExact(layers * mlpParameters(shape.encoderFfn()), tokens), 0,
                    Math.multiplyExact(2 * layers * normVector() + (shape.finalNorm() ? normVector() : 0), tokens));
        }
        long linear = Math.multiplyExact(layers * 4 * h * shape.encoderInner(), tokens);
        long mlp = Math.multiplyExact(layers * shape.mlp().matrices() * h * shape.encoderFfn(), tokens);
        long scores = Math.multiplyExact(layers * 2 * shape.encoderInner(), Math.multiplyExact(tokens, tokens));
        return new Macs(linear, scores, mlp, 0, 0);
    }

    /**
     * The decoder side of one sequence: cross-attention keys and values of {@code inputTokens} encoder positions,
     * then {@code positions} decoder positions (0 … positions − 1), each attending to its self-attention prefix and
     * every input position.
     */
    public Macs decoder(FlopsMethod method, long inputTokens, long positions) {
        nonNegative("inputTokens", inputTokens);
        nonNegative("positions", positions);
        long h = shape.hiddenSize();
        long layers = shape.decoderLayers();
        long inner = shape.decoderInner();
        if (method == FlopsMethod.PARAMETER) {
            return new Macs(Math.multiplyExact(layers * 2 * attentionParameters(inner), positions), 0,
                    Math.multiplyExact(layers * mlpParameters(shape.decoderFfn()), positions),
                    Math.multiplyExact(parameters().lmHead(), positions),
                    Math.multiplyExact(3 * layers * normVector() + (shape.finalNorm() ? normVector() : 0),
                            positions));
        }
        long crossKv = Math.multiplyExact(layers * 2 * h * inner, inputTokens);
        long linear = Math.addExact(crossKv, Math.multiplyExact(layers * 6 * h * inner, positions));
        long mlp = Math.multiplyExact(layers * shape.mlp().matrices() * h * shape.decoderFfn(), positions);
        long head = Math.multiplyExact(h * (long) shape.vocabSize(), positions);
        // self keys 1 + 2 + … + positions, plus inputTokens cross keys per position
        long pairs = Math.addExact(positions % 2 == 0 ? (positions / 2) * (positions + 1)
                : positions * ((positions + 1) / 2), Math.multiplyExact(positions, inputTokens));
        long scores = Math.multiplyExact(layers * 2 * inner, pairs);
        return new Macs(linear, scores, mlp, head, 0);
    }

    /**
     * Everything one sequence costs in a generate call: the encoder over {@code inputTokens}, then the decoder at
     * {@code generatedTokens} positions (at least one: the prefill's first decoder step always runs).
     */
    @Override
    public Macs sequence(FlopsMethod method, long inputTokens, long generatedTokens) {
        nonNegative("generatedTokens", generatedTokens);
        return encoder(method, inputTokens).plus(decoder(method, inputTokens, Math.max(1, generatedTokens)));
    }

    /** Decoder self-attention KV cache per generated token, {@code 2 · Ld · qd · bytes}. */
    public long kvCacheBytesPerToken(Precision precision) {
        return 2L * shape.decoderLayers() * shape.decoderInner() * precision.bytes();
    }

    /** Cross-attention keys and values kept per input token, {@code 2 · Ld · qd · bytes}. */
    public long crossKvBytesPerInputToken(Precision precision) {
        return kvCacheBytesPerToken(precision);
    }

    /** Weights in memory: total parameters (a tied head once) × bytes per element. */
    public long weightBytes(Precision precision) {
        return Math.multiplyExact(parameters().total(), (long) precision.bytes());
    }

    private static void nonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
    }
}
