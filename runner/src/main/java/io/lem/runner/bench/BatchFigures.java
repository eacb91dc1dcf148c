package io.lem.runner.bench;

/**
 * What one batch size measured (the fastest of the repeats, prefill and decode each) and the rates derived from it.
 * Decode covers the {@code newTokens - 1} steps after prefill (prefill yields the first token).
 *
 * @param batchSize        sequences per batch
 * @param promptTokens     tokens per prompt (no padding: all prompts have this length)
 * @param newTokens        tokens generated per sequence
 * @param prefillNanos     fastest prefill (first token included)
 * @param decodeNanos      fastest decode of all steps
 * @param prefillFlops     counted FLOPs of the prefill pass
 * @param decodeFlops      counted FLOPs of all decode steps
 * @param stepBytes        mean bytes read per decode step ({@link DecodeTraffic#meanStepBytes})
 */
public record BatchFigures(int batchSize, int promptTokens, int newTokens, long prefillNanos, long decodeNanos,
        long prefillFlops, long decodeFlops, double stepBytes) {

    public int decodeSteps() {
        return newTokens - 1;
    }

    public double prefillTokensPerSecond() {
        return (double) batchSize * promptTokens / seconds(prefillNanos);
    }

    public double decodeTokensPerSecond() {
        return (double) batchSize * decodeSteps() / seconds(decodeNanos);
    }

    public double msPerStep() {
        return decodeNanos / 1e6 / decodeSteps();
    }

    public double prefillFlopsPerSecond() {
        return prefillFlops / seconds(prefillNanos);
    }

    public double decodeFlopsPerSecond() {
        return decodeFlops / seconds(decodeNanos);
    }

    /** Bytes read per second in decode: {@link #stepBytes} ÷ step time. */
    public double decodeBytesPerSecond() {
        return stepBytes * decodeSteps() / seconds(decodeNanos);
    }

    /** Model FLOPs utilisation of prefill: counted FLOP/s ÷ the peak matmul rate. */
    public double prefillMfu(EnginePeaks peaks) {
        return prefillFlopsPerSecond() / peaks.matmulFlopsPerSecond();
    }

    public double decodeMfu(EnginePeaks peaks) {
        return decodeFlopsPerSecond() / peaks.matmulFlopsPerSecond();
    }

    /** Memory-bandwidth utilisation of decode: bytes read per second ÷ the measured read bandwidth. */
    public double decodeMbu(EnginePeaks peaks) {
        return decodeBytesPerSecond() / peaks.readBytesPerSecond();
    }

    private static double seconds(long nanos) {
        return Math.max(nanos, 1) / 1e9;
    }
}
