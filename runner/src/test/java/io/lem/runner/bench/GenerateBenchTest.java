package io.lem.runner.bench;

import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.engine.SyntheticModels;
import io.lem.runner.engine.SyntheticModels.LlamaSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Runs the bench on a tiny synthetic Llama (hidden 24, 3 heads, 1 KV head of width 8, intermediate 40, 2 layers,
 * vocab 97, tied head) and checks that the figures hang together; timings themselves are not asserted.
 */
class GenerateBenchTest {

    private static final int PROMPT = 5;
    private static final int NEW = 4;
    private static LoadedModel model;
    private static GenerateBenchReport report;
    private static final List<String> progress = new ArrayList<>();

    @BeforeAll
    static void run() {
        SyntheticModels.Model m = SyntheticModels.llama(LlamaSpec.small());
        model = InferenceEngine.load(m.config(), m.weights(), EngineOptions.cpu(FpPrecision.FLOAT32));
        GenerateBenchOptions options = new GenerateBenchOptions(List.of(1, 2), PROMPT, NEW, 2,
                new PeakProbe.Sizes(List.of(32, 64), 1 << 20, 2));
        report = GenerateBench.run(model, options, progress::add);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void parametersAndBytesPerStepMatchAHandCount() {
        // embedding 97x24 = 2328; per layer q 576 + k 192 + v 192 + o 576 + mlp 3x24x40 = 2880 + norms 48 = 4464;
        // 2 layers + final norm 24: 11280 parameters, all read per step (the tied embedding is the LM head)
        assertThat(model.info().parameters()).isEqualTo(11_280);
        assertThat(DecodeTraffic.weightBytes(model.info(), 4, 2)).isEqualTo(45_120);
        // KV read at batch 2: 2 (k, v) x 2 layers x 2 seqs x 1 KV head x 8 wide x mean 7 columns (5 + 4/2) x 4 bytes
        assertThat(report.batch(2).orElseThrow().stepBytes()).isEqualTo(45_120 + 1_792);
        assertThat(report.batch(1).orElseThrow().stepBytes()).isEqualTo(45_120 + 896);
    }

    @Test
    void countedDecodeFlopsMatchAHandCount() {
        // per step at batch 2, in MACs: attention projections 2 layers x 2 x (24x40 + 24x24) = 6144, MLP
        // 2 x 2 x 3 x 24x40 = 11520, LM head 2 x 24 x 97 = 4656, scores + values 2 x 2 x 2 x 3 x 8 = 192 per column;
        // the 3 decode steps attend over 6, 7 and 8 columns
        long macs = 3 * (6144 + 11520 + 4656) + 192 * (6 + 7 + 8);
        BatchFigures b2 = report.batch(2).orElseThrow();
        assertThat(b2.decodeFlops()).isEqualTo(2 * macs);
        assertThat(b2.decodeSteps()).isEqualTo(3);
        // prefill: 10 tokens through the layers, causal scores (1+..+5 per sequence), head for the last column only
        long prefill = 2 * 2 * 5 * (24 * 40 + 24 * 24 + 3 * 24 * 40) + 2 * 2 * 2 * 3 * 5 * 5 * 8 + 2 * 24 * 97;
        assertThat(b2.prefillFlops()).isEqualTo(2 * prefill);
    }

    @Test
    void utilisationIsRateOverPeak() {
        EnginePeaks peaks = report.peaks();
        assertThat(peaks.matmulSize()).isIn(32, 64);
        assertThat(peaks.readArrayBytes()).isEqualTo(1 << 20);
        for (BatchFigures b : report.batches()) {
            double decodeSeconds = b.decodeNanos() / 1e9;
            assertThat(b.decodeMfu(peaks)).isCloseTo(b.decodeFlops() / decodeSeconds / peaks.matmulFlopsPerSecond(),
                    within(1e-12));
            assertThat(b.prefillMfu(peaks)).isCloseTo(b.prefillFlops() / (b.prefillNanos() / 1e9)
                    / peaks.matmulFlopsPerSecond(), within(1e-12));
            assertThat(b.decodeMbu(peaks)).isCloseTo(b.stepBytes() * 3 / decodeSeconds / peaks.readBytesPerSecond(),
                    within(1e-12));
            assertThat(b.msPerStep()).isCloseTo(b.decodeNanos() / 1e6 / 3, within(1e-9));
            assertThat(b.decodeTokensPerSecond()).isCloseTo(b.batchSize() * 3 / decodeSeconds, within(1e-6));
        }
    }

    @Test
    void reportNamesTargetsAndIsConsistentAsJson() {
        assertThat(report.verdicts()).hasSize(2);
        assertThat(report.verdicts().get(0)).isEqualTo("decode MFU at batch 32: not measured (add it to --batch-sizes)");
        double mbu = report.batch(1).orElseThrow().decodeMbu(report.peaks());
        assertThat(report.verdicts().get(1)).startsWith("decode MBU at batch 1: ")
                .endsWith(mbu >= 0.5 ? "PASS" : "FAIL");
        assertThat(report.passed()).isEqualTo(mbu >= 0.5);
        assertThat(report.text()).contains("batch", "MBU", "decode MBU at batch 1");
        Map<String, Object> json = report.toJson();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> batches = (List<Map<String, Object>>) json.get("batches");
        assertThat(batches).extracting(b -> b.get("batch_size")).containsExactly(1, 2);
        assertThat(batches.get(1).get("decode_flops")).isEqualTo(report.batch(2).orElseThrow().decodeFlops());
        assertThat(progress).hasSize(3).first().asString().startsWith("peaks: matmul ");
    }

    @Test
    void optionsRefuseWhatCannotBeMeasured() {
        PeakProbe.Sizes sizes = new PeakProbe.Sizes(List.of(8), 64, 1);
        assertThatThrownBy(() -> new GenerateBenchOptions(List.of(1), 4, 1, 1, sizes))
                .hasMessageContaining("newTokens must be >= 2");
        assertThatThrownBy(() -> new GenerateBenchOptions(List.of(0), 4, 2, 1, sizes))
                .hasMessageContaining("batch sizes must be >= 1");
    }
}
