package io.lem.runner.config;

/**
 * {@code decoder_config}.
 *
 * @param temperature >= 0 (default 1.0); 0 means greedy decoding
 * @param topP        nucleus sampling mass, in (0, 1] (default 1.0 = off)
 * @param topK        sample from the k most likely tokens, >= 0 (default 50; 0 = off)
 * @param doSample    sample rather than decode greedily. Optional in the file: by default it is
 *                    {@code temperature > 0}. It exists because HuggingFace's generate() has it and configs ported
 *                    from there set it; {@code do_sample: false} with temperature > 0 decodes greedily, and
 *                    {@code do_sample: true} with temperature 0 is rejected as contradictory.
 */
public record DecoderConfig(double temperature, double topP, int topK, boolean doSample) {

    public boolean greedy() {
        return !doSample;
    }
}
