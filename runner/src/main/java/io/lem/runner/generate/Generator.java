package io.lem.runner.generate;

import io.lem.runner.engine.BatchState;
import io.lem.runner.engine.CountedFlops;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.Seq2SeqState;
import io.lem.runner.model.CausalLm;
import io.lem.runner.model.LanguageModel;
import io.lem.runner.model.ModelInfo;
import io.lem.runner.model.Seq2SeqLm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched autoregressive generation with a KV cache, for decoder-only ({@link CausalLm}) and encoder-decoder
 * ({@link Seq2SeqLm}) models.
 *
 * <p>Decoder-only, each batch: prompts are LEFT-padded to the longest one (pad columns are masked and every sequence's first real
 * token has position 0), one prefill pass yields every sequence's first token, then one decode step per further token.
 * A sequence that produces an EOS token is finished: it stops counting tokens, and its slot keeps being fed the pad
 * id while the others go on (its outputs are ignored). The batch ends when every sequence is finished or has
 * {@code maxNewTokens} tokens; the last token is never fed back. The KV cache lives on the device in a per-batch
 * {@link BatchState} closed at the end of the batch.
 *
 * <p>Encoder-decoder, each batch: inputs are RIGHT-padded to the longest one (pad columns are masked in every
 * attention, so positions are column indices), the encoder runs once and leaves the cross-attention keys and values
 * of every decoder layer; then the decoder starts from {@code decoder_start_token_id} with its own self-attention KV
 * cache. The prefill (time to first token, and its FLOPs) is the encoder pass plus the first decoder step; each
 * further token is a decode step. {@code forced_bos_token_id}, when the model has one, is the first generated token
 * of every sequence (it counts as an output token, as in HuggingFace), and {@code forced_eos_token_id} the token
 * generated at {@code maxNewTokens} (the sequence then ends with reason EOS), as HuggingFace's forced-BOS/EOS logits
 * processors do. Long inputs are truncated at the END (keeping
 * a trailing EOS), as HuggingFace tokenizers truncate encoder inputs.
 *
 * <p>Sequence ends, sampling streams, the listener's events and the results are the same for both kinds.
 *
 * <p>Not thread-safe; one generate call at a time.
 */
public final class Generator {

    private final LanguageModel model;
    private final GenerationConfig config;
    private final TokenDecoder decoder;
    private final TokenChooser chooser;
    private final int forcedFirst;
    private final int forcedLast;

    public Generator(LoadedModel model, GenerationConfig config) {
        this(model.languageModel(), config, null);
    }

    public Generator(LoadedModel model, GenerationConfig config, TokenDecoder decoder) {
        this(model.languageModel(), config, decoder);
    }

    /**
     * @param model   a {@link CausalLm} or a {@link Seq2SeqLm}
     * @param decoder turns generated ids into {@link GenerationResult#text()}; null leaves text null
     */
    public Generator(LanguageModel model, GenerationConfig config, TokenDecoder decoder) {
        if (!(model instanceof CausalLm) && !(model instanceof Seq2SeqLm)) {
            throw new IllegalArgumentException("not a generative model: " + model);
        }
        this.model = model;
        this.config = config;
        this.decoder = decoder;
        this.chooser = new TokenChooser(config);
        this.forcedFirst = model instanceof Seq2SeqLm s ? s.forcedBosTokenId() : -1;
        this.forcedLast = model instanceof Seq2SeqLm s ? s.forcedEosTokenId() : -1;
    }

    public GenerationConfig config() {
        return config;
    }

    /** Generates for every prompt (token ids); results in the order of {@code prompts}. */
    public List<GenerationResult> generate(List<int[]> prompts, GenerationListener listener) {
        if (listener == null) {
            listener = GenerationListener.NONE;
        }
        int vocab = model.info().vocabSize();
        int[][] inputs = new int[prompts.size()][];
        int[] truncated = new int[prompts.size()];
        int[] lengths = new int[prompts.size()];
        for (int i = 0; i < inputs.length; i++) {
            int[] p = prompts.get(i);
            if (p == null || p.length == 0) {
                throw new IllegalArgumentException("prompt " + i + " has no tokens");
            }
            for (int id : p) {
                if (id < 0 || id >= vocab) {
                    throw new IllegalArgumentException("prompt " + i + " has token id " + id
                            + " outside the vocabulary [0, " + vocab + ")");
                }
            }
            int keep = config.maxInputTokens() > 0 ? Math.min(p.length, config.maxInputTokens()) : p.length;
            inputs[i] = truncate(p, keep);
            truncated[i] = p.length - keep;
            lengths[i] = keep;
        }
        checkPositions(lengths);
        GenerationResult[] results = new GenerationResult[inputs.length];
        List<int[]> plan = BatchPlanner.plan(lengths, config.batchSize(), config.dynamicBatching());
        for (int batchIndex = 0; batchIndex < plan.size(); batchIndex++) {
            runBatch(batchIndex, plan.get(batchIndex), inputs, truncated, listener, results);
        }
        return List.of(results);
    }

    private void runBatch(int batchIndex, int[] indices, int[][] inputs, int[] truncated,
            GenerationListener listener, GenerationResult[] results) {
        int b = indices.length;
        int vocab = model.info().vocabSize();
        int maxNew = config.maxNewTokens();

        long realTokens = 0;
        int width = 0;
        List<Integer> promptIndices = new ArrayList<>(b);
        List<Integer> inputTokens = new ArrayList<>(b);
        for (int i : indices) {
            width = Math.max(width, inputs[i].length);
            realTokens += inputs[i].length;
            promptIndices.add(i);
            inputTokens.add(inputs[i].length);
        }
        SplittableRandom[] random = new SplittableRandom[b];
        for (int s = 0; s < b; s++) {
            random[s] = new SplittableRandom(streamSeed(config.seed(), indices[s]));
        }
        listener.onBatchStart(new GenerationListener.BatchStart(batchIndex, b, promptIndices, realTokens,
                (long) b * width));

        int[][] generated = new int[b][maxNew];
        int[] count = new int[b];
        boolean[] finished = new boolean[b];
        FinishReason[] reasons = new FinishReason[b];
        long[] finishedAt = new long[b];
        boolean[] timed = new boolean[b];
        int[] next = new int[b];
        int pad = config.effectivePadTokenId();
        try (Session session = open(indices, inputs, width)) {
            // prefill: the whole (padded) prompts (encoder-decoders: the encoder pass and the first decoder step),
            // yielding every sequence's first token
            long start = System.nanoTime();
            float[] logits = session.prefill();
            int running = choose(logits, vocab, generated, count, finished, reasons, next, random);
            long prefillEnd = System.nanoTime();
            long prefillNanos = prefillEnd - start;
            for (int s = 0; s < b; s++) {
                if (finished[s]) {
                    finishedAt[s] = prefillEnd;
                    timed[s] = true;
                }
            }
            listener.onPrefillDone(new GenerationListener.PrefillDone(batchIndex, prefillNanos, b,
                    session.flops().toFlopsCount()));

            // decode: one token per running sequence per step
            long last = prefillEnd;
            for (int step = 1; step < maxNew && running > 0; step++) {
                long stepStart = System.nanoTime();
                int[] feed = new int[b];
                for (int s = 0; s < b; s++) {
                    feed[s] = finished[s] ? pad : next[s];
                }
                logits = session.step(feed);
                int before = running;
                running = choose(logits, vocab, generated, count, finished, reasons, next, random);
                last = System.nanoTime();
                for (int s = 0; s < b; s++) {
                    if (finished[s] && !timed[s]) {
                        finishedAt[s] = last;
                        timed[s] = true;
                    }
                }
                listener.onDecodeStep(new GenerationListener.DecodeStep(batchIndex, step, before, last - stepStart));
            }
            List<Integer> outputTokens = new ArrayList<>(b);
            List<FinishReason> finishReasons = new ArrayList<>(b);
            for (int s = 0; s < b; s++) {
                if (!timed[s]) {
                    finishedAt[s] = last;
                }
                int[] out = Arrays.copyOf(generated[s], count[s]);
                outputTokens.add(out.length);
                finishReasons.add(reasons[s]);
                int i = indices[s];
                results[i] = new GenerationResult(i, batchIndex, inputs[i], truncated[i], out, text(out, reasons[s]),
                        reasons[s], prefillNanos, finishedAt[s] - prefillEnd);
            }
            listener.onBatchEnd(new GenerationListener.BatchEnd(batchIndex, promptIndices, inputTokens, outputTokens,
                    finishReasons, prefillNanos, last - prefillEnd, session.flops().toFlopsCount()));
        }
    }

    /**
     * One batch on the device: the prefill (prompt pass, or encoder pass plus the first decoder step) and then one
     * decode step per call; closing it frees the batch's tensors.
     */
    private interface Session extends AutoCloseable {

        float[] prefill();

        float[] step(int[] feed);

        CountedFlops flops();

        @Override
        void close();
    }

    private Session open(int[] indices, int[][] inputs, int width) {
        int b = indices.length;
        int pad = config.effectivePadTokenId();
        int maxNew = config.maxNewTokens();
        int[] tokens = new int[b * width];
        Arrays.fill(tokens, pad);
        if (model instanceof Seq2SeqLm seq2seq) {
            // right-pad the encoder inputs to the longest one
            int[] lengths = new int[b];
            for (int s = 0; s < b; s++) {
                int[] in = inputs[indices[s]];
                lengths[s] = in.length;
                System.arraycopy(in, 0, tokens, s * width, in.length);
            }
            return new Session() {
                private Seq2SeqState state;

                @Override
                public float[] prefill() {
                    // the decoder is fed its start token plus every generated token but the last: maxNew columns
                    state = seq2seq.encode(tokens, lengths, width, maxNew);
                    int[] start = new int[b];
                    Arrays.fill(start, seq2seq.decoderStartTokenId());
                    return seq2seq.decode(state, start, 1);
                }

                @Override
                public float[] step(int[] feed) {
                    return seq2seq.decode(state, feed, 1);
                }

                @Override
                public CountedFlops flops() {
                    return state.flops();
                }

                @Override
                public void close() {
                    if (state != null) {
                        state.close();
                    }
                }
            };
        }
        // left-pad the prompts to the longest one
        CausalLm causal = (CausalLm) model;
        int[] padding = new int[b];
        for (int s = 0; s < b; s++) {
            int[] in = inputs[indices[s]];
            padding[s] = width - in.length;
            System.arraycopy(in, 0, tokens, s * width + padding[s], in.length);
        }
        // the last generated token is never fed back: prompt + maxNew - 1 columns
        BatchState state = causal.newState(padding, width + maxNew - 1);
        // every step's logits are chosen from before the next step: the model may hand back the same array
        state.reuseLogits(true);
        return new Session() {
            @Override
            public float[] prefill() {
                return causal.forward(state, tokens, width);
            }

            @Override
            public float[] step(int[] feed) {
                return causal.forward(state, feed, 1);
            }

            @Override
            public CountedFlops flops() {
                return state.flops();
            }

            @Override
            public void close() {
                state.close();
            }
        };
    }

    /**
     * The first {@code keep} tokens the model sees of a prompt: for decoder-only models the END of the prompt (what
     * the continuation depends on); for encoder-decoder models the START, keeping a trailing EOS as HuggingFace's
     * tokenizers do.
     */
    private int[] truncate(int[] p, int keep) {
        if (keep == p.length) {
            return p.clone();
        }
        if (!(model instanceof Seq2SeqLm)) {
            return Arrays.copyOfRange(p, p.length - keep, p.length);
        }
        int[] out = Arrays.copyOf(p, keep);
        if (keep > 1 && config.eosTokenIds().contains(p[p.length - 1])) {
            out[keep - 1] = p[p.length - 1];
        }
        return out;
    }

    /** Chooses the next token of every running sequence; returns how many are still running. */
    private int choose(float[] logits, int vocab, int[][] generated, int[] count, boolean[] finished,
            FinishReason[] reasons, int[] next, SplittableRandom[] random) {
        int running = 0;
        for (int s = 0; s < count.length; s++) {
            if (finished[s]) {
                continue;
            }
            int token;
            if (count[s] == 0 && forcedFirst >= 0) {
                token = forcedFirst;
            } else if (count[s] == config.maxNewTokens() - 1 && forcedLast >= 0) {
                token = forcedLast;
            } else {
                token = chooser.choose(logits, s * vocab, vocab, count[s], random[s]);
            }
            generated[s][count[s]++] = token;
            next[s] = token;
            if (config.eosTokenIds().contains(token)) {
                finished[s] = true;
                reasons[s] = FinishReason.EOS;
            } else if (count[s] >= config.maxNewTokens()) {
                finished[s] = true;
                reasons[s] = FinishReason.LENGTH;
            } else {
                running++;
            }
        }
        return running;
    }

    private String text(int[] out, FinishReason reason) {
        if (decoder == null) {
            return null;
        }
        int n = reason == FinishReason.EOS ? out.length - 1 : out.length;
        return decoder.decode(Arrays.copyOf(out, n));
    }

    /** Models with a learned position table cannot run past it: fail before any batch starts. */
    private void checkPositions(int[] lengths) {
        ModelInfo info = model.info();
        if (!info.learnedPositions()) {
            return;
        }
        int longest = Arrays.stream(lengths).max().orElse(0);
        if (info.encoderDecoder()) {
            // encoder input and decoder output have a position table each
            if (longest > info.maxPositions() || config.maxNewTokens() > info.maxPositions()) {
                throw new EngineException(info.modelType() + " has " + info.maxPositions() + " positions: an input "
                        + "of " + longest + " tokens or " + config.maxNewTokens() + " new tokens does not fit; lower "
                        + "max_input_tokens or max_output_tokens");
            }
            return;
        }
        if (longest + config.maxNewTokens() - 1 > info.maxPositions()) {
            throw new EngineException(info.modelType() + " has " + info.maxPositions() + " positions: a prompt of "
                    + longest + " tokens plus " + config.maxNewTokens() + " new tokens does not fit; lower "
                    + "max_input_tokens or max_output_tokens");
        }
    }

    /** Independent, well-mixed seeds per prompt (SplittableRandom streams of nearby seeds would overlap). */
    static long streamSeed(long seed, int promptIndex) {
        return mix(seed ^ mix(0x9E3779B97F4A7C15L * (promptIndex + 1L)));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
