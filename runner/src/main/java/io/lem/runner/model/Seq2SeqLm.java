package io.lem.runner.model;

import io.lem.runner.engine.Seq2SeqState;

/**
 * An encoder-decoder language model (T5, BART) on a device, as the generation loop sees it: the encoder runs once per
 * batch over the (right-padded) inputs and leaves, per decoder layer, the cross-attention keys and values of the
 * encoder output in a {@link Seq2SeqState}; the decoder then runs one step at a time with a self-attention KV cache.
 * Not thread-safe.
 */
public interface Seq2SeqLm extends LanguageModel {

    /** {@code decoder_start_token_id}: the decoder's first input (T5: the pad id 0; BART: eos, 2). */
    int decoderStartTokenId();

    /** {@code forced_bos_token_id}: forced as the first generated token; -1 when not set. */
    int forcedBosTokenId();

    /**
     * {@code forced_eos_token_id}: forced as the token generated at {@code max_output_tokens}, so that a sequence
     * cut by the length limit still ends with EOS (HuggingFace's ForcedEOSTokenLogitsProcessor); -1 when not set.
     */
    int forcedEosTokenId();

    /**
     * Runs the encoder over a batch and precomputes every decoder layer's cross-attention keys and values.
     *
     * @param tokens          row-major {@code [batch, width]} input ids, RIGHT-padded (pad columns hold any id)
     * @param lengths         real input tokens per sequence (1..width); columns at or beyond are masked
     * @param width           padded input length
     * @param decoderCapacity decoder self-attention cache columns (decoder tokens that will be fed)
     */
    Seq2SeqState encode(int[] tokens, int[] lengths, int width, int decoderCapacity);

    /**
     * Runs {@code t} decoder tokens per sequence (appending them to the self-attention cache) and returns the logits of
     * the LAST new column of every sequence, row-major {@code [batch, vocab]}, float32 (the device synchronization
     * point, as for {@link CausalLm#forward}).
     *
     * @param tokens row-major {@code [batch, t]} decoder input ids
     */
    float[] decode(Seq2SeqState state, int[] tokens, int t);
}
