package io.lem.runner.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.IntraOpThreads;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.generate.GenerationConfig;
import io.lem.runner.generate.GenerationListener;
import io.lem.runner.generate.Generator;
import io.lem.runner.model.ModelInfo;
import io.lem.runner.model.synth.SynthSpec;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * {@code lem bench generate}: prefill and decode throughput of a loaded model per batch size, set against the
 * engine's own peak matmul rate and read bandwidth measured in the same process ({@link PeakProbe}), as MFU and MBU.
 * Generation is the production path ({@link Generator}, greedy, KV cache); FLOPs are the engine's counted ones.
 */
public final class GenerateBench {

    private GenerateBench() {
    }

    /**
     * @param progress receives a line per finished stage (peaks, each batch size); may be null
     */
    /**
     * Whether the benchmark covers a synthetic architecture: decoder-only ones. Its bytes-per-step and FLOPs figures
     * are those of one decoder stack with a KV cache; an encoder-decoder's cross-attention is not modelled.
     */
    public static boolean supports(SynthSpec spec) {
        return spec.arch().equals(SynthSpec.LLAMA) || spec.arch().equals(SynthSpec.GPT2);
    }

    public static GenerateBenchReport run(LoadedModel model, GenerateBenchOptions options, Consumer<String> progress) {
        if (model.isEncoderDecoder()) {
            throw new EngineException("lem bench generate measures decoder-only models; " + model.info().modelType()
                    + " is an encoder-decoder (its cross-attention reads are not in the MBU formula)");
        }
        Consumer<String> say = progress != null ? progress : line -> { };
        double loadBefore = loadAverage();
        ModelInfo info = model.info();
        DataType dtype = DataType.valueOf(info.dtype().toUpperCase(Locale.ROOT));
        EnginePeaks peaks;
        try (NDManager manager = InferenceEngine.pytorch().newBaseManager(model.device())) {
            peaks = PeakProbe.measure(manager, dtype, options.peakSizes());
        }
        say.accept(String.format(Locale.ROOT, "peaks: matmul %.1f GFLOP/s (n=%d, %d threads), read %.1f GB/s "
                + "(%d threads)", peaks.matmulFlopsPerSecond() / 1e9, peaks.matmulSize(), peaks.matmulThreads(),
                peaks.readBytesPerSecond() / 1e9, peaks.readThreads()));
        List<BatchFigures> figures = new ArrayList<>();
        for (int b : options.batchSizes()) {
            BatchFigures f = measure(model, options, b, dtype.getNumOfBytes());
            figures.add(f);
            say.accept(String.format(Locale.ROOT, "batch %d: prefill %.1f tok/s, decode %.1f tok/s (%.1f ms/step)",
                    b, f.prefillTokensPerSecond(), f.decodeTokensPerSecond(), f.msPerStep()));
        }
        return new GenerateBenchReport(info, IntraOpThreads.configured(), options, peaks, figures, loadBefore,
                loadAverage());
    }

    private static BatchFigures measure(LoadedModel model, GenerateBenchOptions options, int batch, int dtypeBytes) {
        Random random = new Random(batch);
        List<int[]> prompts = new ArrayList<>();
        for (int s = 0; s < batch; s++) {
            int[] p = new int[options.promptTokens()];
            for (int i = 0; i < p.length; i++) {
                p[i] = random.nextInt(model.info().vocabSize());
            }
            prompts.add(p);
        }
        // no EOS: every sequence runs to newTokens, so each run does exactly the same work
        Generator generator = new Generator(model, GenerationConfig.builder().maxNewTokens(options.newTokens())
                .batchSize(batch).doSample(false).temperature(0).build());
        generator.generate(prompts, null); // warm-up: first-touch allocations, RoPE tables, thread pools
        Run best = null;
        for (int r = 0; r < options.repeats(); r++) {
            Run run = new Run();
            generator.generate(prompts, run);
            best = best == null ? run : best.fastest(run);
        }
        return new BatchFigures(batch, options.promptTokens(), options.newTokens(), best.prefillNanos,
                best.decodeNanos, best.prefillFlops, best.totalFlops - best.prefillFlops,
                DecodeTraffic.meanStepBytes(model.info(), dtypeBytes, batch, options.promptTokens(),
                        options.newTokens()));
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Timings and counted FLOPs of one generate call (one batch: the whole prompt list fits in it). */
    private static final class Run implements GenerationListener {
        long prefillNanos;
        long decodeNanos;
        long prefillFlops;
        long totalFlops;

        @Override
        public void onPrefillDone(PrefillDone e) {
            prefillFlops += (long) e.countedFlops().flops();
        }

        @Override
        public void onBatchEnd(BatchEnd e) {
            prefillNanos += e.prefillNanos();
            decodeNanos += e.decodeNanos();
            totalFlops += (long) e.countedFlops().flops();
        }

        /** The fastest prefill and the fastest decode of two runs (they do identical work). */
        Run fastest(Run other) {
            Run r = new Run();
            Run p = prefillNanos <= other.prefillNanos ? this : other;
            Run d = decodeNanos <= other.decodeNanos ? this : other;
            r.prefillNanos = p.prefillNanos;
            r.prefillFlops = p.prefillFlops;
            r.decodeNanos = d.decodeNanos;
            r.totalFlops = p.prefillFlops + (d.totalFlops - d.prefillFlops);
            return r;
        }
    }
}
