package io.lem.runner.generate;

/**
 * What one prompt produced.
 *
 * @param promptIndex     position of the prompt in the list given to {@link Generator#generate}
 * @param batchIndex      the batch it ran in
 * @param promptTokens    the prompt as fed to the model (after truncation to {@code max_input_tokens})
 * @param truncatedTokens tokens dropped by truncation: from the START of a decoder-only prompt, from the END of an
 *                        encoder-decoder input (before its trailing EOS)
 * @param generatedTokens generated ids; ends with the EOS token when {@code finishReason} is EOS
 * @param text            the generated ids decoded (a trailing EOS token is not decoded); null without a decoder
 * @param finishReason    eos or length
 * @param prefillNanos    the batch's prefill, which produced this sequence's first token (time to first token)
 * @param decodeNanos     from the end of prefill until this sequence's last token
 */
public record GenerationResult(int promptIndex, int batchIndex, int[] promptTokens, int truncatedTokens,
        int[] generatedTokens, String text, FinishReason finishReason, long prefillNanos, long decodeNanos) {

    public GenerationResult {
        promptTokens = promptTokens.clone();
        generatedTokens = generatedTokens.clone();
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    @Override
    public int[] generatedTokens() {
        return generatedTokens.clone();
    }

    public int inputTokenCount() {
        return promptTokens.length;
    }

    public int outputTokenCount() {
        return generatedTokens.length;
    }
}
