package io.lem.runner.bench;

import io.lem.runner.model.ModelInfo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The result of {@link GenerateBench}: peaks, per-batch figures and the two targets, as a text table or a
 * JSON-ready map.
 *
 * @param threads     configured intra-op threads (batch-1 decode uses one, see IntraOpThreads)
 * @param loadBefore  1-minute load average when the run started (-1 where the OS has none)
 * @param loadAfter   and when it ended
 */
public record GenerateBenchReport(ModelInfo model, int threads, GenerateBenchOptions options, EnginePeaks peaks,
        List<BatchFigures> batches, double loadBefore, double loadAfter) {

    /** Decode at batch 32 must reach this MFU. */
    public static final double MFU_TARGET = 0.40;
    public static final int MFU_TARGET_BATCH = 32;
    /** Decode at batch 1 must reach this MBU. */
    public static final double MBU_TARGET = 0.50;
    public static final int MBU_TARGET_BATCH = 1;

    public GenerateBenchReport {
        batches = List.copyOf(batches);
    }

    public Optional<BatchFigures> batch(int size) {
        return batches.stream().filter(b -> b.batchSize() == size).findFirst();
    }

    /** One line per target: measured value and PASS/FAIL, or "not measured" when that batch size was not run. */
    public List<String> verdicts() {
        return List.of(
                verdict("decode MFU at batch " + MFU_TARGET_BATCH, MFU_TARGET,
                        batch(MFU_TARGET_BATCH).map(b -> b.decodeMfu(peaks))),
                verdict("decode MBU at batch " + MBU_TARGET_BATCH, MBU_TARGET,
                        batch(MBU_TARGET_BATCH).map(b -> b.decodeMbu(peaks))));
    }

    /** Whether every measured target passed (targets not measured do not fail). */
    public boolean passed() {
        return batch(MFU_TARGET_BATCH).map(b -> b.decodeMfu(peaks) >= MFU_TARGET).orElse(true)
                && batch(MBU_TARGET_BATCH).map(b -> b.decodeMbu(peaks) >= MBU_TARGET).orElse(true);
    }

    private static String verdict(String what, double target, Optional<Double> value) {
        return value.map(v -> String.format(Locale.ROOT, "%s: %.1f%% (target >= %.0f%%) %s", what, 100 * v,
                100 * target, v >= target ? "PASS" : "FAIL"))
                .orElse(what + ": not measured (add it to --batch-sizes)");
    }

    public String text() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "model      %s (%s), %,d parameters, %s on %s, %d intra-op threads%n",
                model.modelType(), model.family(), model.parameters(), model.dtype(), model.device(), threads));
        out.append(String.format(Locale.ROOT, "work       %d prompt tokens + %d new tokens per sequence, best of %d%n",
                options.promptTokens(), options.newTokens(), options.repeats()));
        out.append(String.format(Locale.ROOT, "peak       matmul %.1f GFLOP/s (%dx%d, %d threads); read %.1f GB/s "
                        + "(sum of %d MiB, %d threads)%n", peaks.matmulFlopsPerSecond() / 1e9, peaks.matmulSize(),
                peaks.matmulSize(), peaks.matmulThreads(), peaks.readBytesPerSecond() / 1e9,
                peaks.readArrayBytes() >> 20, peaks.readThreads()));
        out.append(String.format(Locale.ROOT, "load avg   %.2f at start, %.2f at end%n%n", loadBefore, loadAfter));
        out.append(String.format(Locale.ROOT, "%5s | %11s %7s | %11s %8s %10s %6s | %10s %8s %6s%n", "batch",
                "prefill t/s", "MFU", "decode t/s", "ms/step", "GFLOP/s", "MFU", "MB/step", "GB/s", "MBU"));
        for (BatchFigures b : batches) {
            out.append(String.format(Locale.ROOT,
                    "%5d | %11.1f %6.1f%% | %11.1f %8.2f %10.1f %5.1f%% | %10.1f %8.1f %5.1f%%%n", b.batchSize(),
                    b.prefillTokensPerSecond(), 100 * b.prefillMfu(peaks), b.decodeTokensPerSecond(), b.msPerStep(),
                    b.decodeFlopsPerSecond() / 1e9, 100 * b.decodeMfu(peaks), b.stepBytes() / 1e6,
                    b.decodeBytesPerSecond() / 1e9, 100 * b.decodeMbu(peaks)));
        }
        out.append(System.lineSeparator());
        for (String v : verdicts()) {
            out.append(v).append(System.lineSeparator());
        }
        return out.toString();
    }

    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", model.modelType());
        m.put("parameters", model.parameters());
        m.put("dtype", model.dtype());
        m.put("device", model.device());
        out.put("model", m);
        out.put("intra_op_threads", threads);
        out.put("prompt_tokens", options.promptTokens());
        out.put("new_tokens", options.newTokens());
        out.put("repeats", options.repeats());
        out.put("load_average_start", loadBefore);
        out.put("load_average_end", loadAfter);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("matmul_flops_per_second", peaks.matmulFlopsPerSecond());
        p.put("matmul_size", peaks.matmulSize());
        p.put("matmul_threads", peaks.matmulThreads());
        p.put("read_bytes_per_second", peaks.readBytesPerSecond());
        p.put("read_array_bytes", peaks.readArrayBytes());
        p.put("read_threads", peaks.readThreads());
        out.put("peaks", p);
        out.put("batches", batches.stream().map(b -> {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("batch_size", b.batchSize());
            j.put("prefill_seconds", b.prefillNanos() / 1e9);
            j.put("prefill_tokens_per_second", b.prefillTokensPerSecond());
            j.put("prefill_flops", b.prefillFlops());
            j.put("prefill_mfu", b.prefillMfu(peaks));
            j.put("decode_seconds", b.decodeNanos() / 1e9);
            j.put("decode_steps", b.decodeSteps());
            j.put("decode_tokens_per_second", b.decodeTokensPerSecond());
            j.put("ms_per_step", b.msPerStep());
            j.put("decode_flops", b.decodeFlops());
            j.put("decode_flops_per_second", b.decodeFlopsPerSecond());
            j.put("decode_mfu", b.decodeMfu(peaks));
            j.put("bytes_per_step", b.stepBytes());
            j.put("decode_bytes_per_second", b.decodeBytesPerSecond());
            j.put("decode_mbu", b.decodeMbu(peaks));
            return j;
        }).toList());
        out.put("targets", verdicts());
        out.put("passed", passed());
        return out;
    }
}
