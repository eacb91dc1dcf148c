package io.lem.runner.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.SyntheticModels.LlamaSpec;
import io.lem.runner.model.CausalLm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The Java (Vector API) single-token products against plain float64 products and against the DJL path. */
class JavaMatVecTest {

    static {
        SyntheticModels.singleThreadedUnlessConfigured();
    }

    @Test
    void moduleIsPresentInTests() {
        // surefire runs with --add-modules jdk.incubator.vector (runner/pom.xml): the path must be covered
        assertThat(JavaMatVec.available()).isTrue();
    }

    @Test
    void productMatchesFloat64OnOddShapes() {
        Random r = new Random(3);
        JavaMatVec.force(true); // split over two threads although tests run one intra-op thread
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            int[][] shapes = {{1, 1}, {3, 15}, {67, 37}, {130, 200}, {64, 64}, {257, 576}, {576, 1536}};
            for (int[] s : shapes) {
                int rows = s[0];
                int cols = s[1];
                float[] w = new float[rows * cols];
                float[] x = new float[cols];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) r.nextGaussian();
                }
                for (int i = 0; i < cols; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                NDArray tensor = manager.create(w, new Shape(rows, cols));
                JavaMatVec.Matrix m = JavaMatVec.of(tensor);
                assertThat(m).isNotNull();
                float[] y = new float[rows];
                m.multiply(x, y);
                for (int i = 0; i < rows; i++) {
                    double ref = 0;
                    double scale = 0;
                    for (int c = 0; c < cols; c++) {
                        ref += (double) w[i * cols + c] * x[c];
                        scale += Math.abs((double) w[i * cols + c] * x[c]);
                    }
                    assertThat(Math.abs(y[i] - ref)).as("[%d, %d] row %d", rows, cols, i)
                            .isLessThanOrEqualTo(1e-5 * scale + 1e-6);
                }
                float[] row = new float[cols];
                m.row(rows - 1, row);
                for (int c = 0; c < cols; c++) {
                    assertThat(row[c]).isEqualTo(w[(rows - 1) * cols + c]);
                }
            }
        } finally {
            JavaMatVec.force(null);
        }
    }

    @Test
    void onlyFloat32CpuMatricesQualify() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            assertThat(JavaMatVec.of(manager.ones(new Shape(4, 4), DataType.FLOAT16))).isNull();
            assertThat(JavaMatVec.of(manager.ones(new Shape(4, 4, 4)))).isNull();
            assertThat(JavaMatVec.of(manager.ones(new Shape(4, 4)))).isNotNull();
        }
    }

    @Test
    void zeroCopy() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray w = manager.zeros(new Shape(8, 16));
            JavaMatVec.Matrix m = JavaMatVec.of(w);
            w.set(new ai.djl.ndarray.index.NDIndex("3, 5"), 7f); // written by PyTorch after the view was taken
            float[] row = new float[16];
            m.row(3, row);
            assertThat(row[5]).isEqualTo(7f);
        }
    }

    /** Batch-1 decode logits with the Java products against the DJL path, on synthetic Llamas. */
    @Test
    void singleTokenLogitsMatchTheDjlPath() {
        List<LlamaSpec> specs = List.of(LlamaSpec.small(), LlamaSpec.small().withHeads(6, 2, 8).withTied(false),
                LlamaSpec.small().withType("mistral", false).withSlidingWindow(4),
                LlamaSpec.small().withHeads(4, 2, 32).withSizes(64, 96, 2, 211));
        for (LlamaSpec spec : specs) {
            SyntheticModels.Model m = SyntheticModels.llama(spec);
            try (LoadedModel model = InferenceEngine.load(m.config(), m.weights(),
                    EngineOptions.cpu(FpPrecision.FLOAT32))) {
                int[] seq = LogitsCheck.randomTokens(new Random(7), 12, spec.vocab());
                long before = JavaMatVec.products();
                List<float[]> java = decode(model.model(), seq, 3, true);
                assertThat(JavaMatVec.products()).as("Java path taken").isGreaterThan(before);
                List<float[]> djl = decode(model.model(), seq, 3, false);
                double worst = 0;
                for (int i = 0; i < djl.size(); i++) {
                    double[] ref = new double[djl.get(i).length];
                    for (int j = 0; j < ref.length; j++) {
                        ref[j] = djl.get(i)[j];
                    }
                    worst = Math.max(worst, LogitsCheck.error(java.get(i), 0, ref));
                }
                System.out.printf("%s: Java vs DJL single-token logits, max relative difference %.3g%n", spec, worst);
                assertThat(worst).isLessThan(1e-4);
            }
        }
    }

    private static List<float[]> decode(CausalLm model, int[] seq, int prompt, boolean onJvm) {
        JavaMatVec.force(onJvm);
        try (BatchState state = model.newState(new int[] {0}, seq.length)) {
            List<float[]> out = new ArrayList<>();
            out.add(model.forward(state, java.util.Arrays.copyOf(seq, prompt), prompt));
            for (int i = prompt; i < seq.length; i++) {
                out.add(model.forward(state, new int[] {seq[i]}, 1));
            }
            return out;
        } finally {
            JavaMatVec.force(null);
        }
    }
}
