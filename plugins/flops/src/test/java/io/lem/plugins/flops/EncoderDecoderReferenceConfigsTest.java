package io.lem.plugins.flops;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Parameter counts of the real T5, flan-t5 and BART configs in {@code ../shared/reference/hf-configs} against the
 * published counts ({@code model.num_parameters()}: BART's {@code final_logits_bias} buffer is not a parameter; a tied
 * head is counted once). Skipped when {@code ../shared} is absent; {@link EncoderDecoderMathTest} has the same numbers
 * from inline configs.
 */
class EncoderDecoderReferenceConfigsTest {

    private static Path configs;

    @BeforeAll
    static void locateSharedConfigs() {
        Path shared = Path.of(System.getProperty("lem.shared.dir", "../../../shared"));
        configs = shared.resolve("reference/hf-configs");
        assumeTrue(Files.isDirectory(configs), "no reference configs at " + configs.toAbsolutePath());
    }

    private static EncoderDecoderMath math(String file) throws IOException {
        return new EncoderDecoderMath(HfConfig.encoderDecoderShapeOf(HfConfig.read(configs.resolve(file))));
    }

    @Test
    void t5SmallAndBase() throws IOException {
        EncoderDecoderMath small = math("t5-small.hub-original.config.json");
        assertThat(small.parameters().total()).isEqualTo(60_506_624L);
        assertThat(small.parameters().lmHead()).isZero();
        assertThat(small.shape().mlp()).isEqualTo(MlpKind.PLAIN);
        assertThat(math("t5-base.resaved-4.18.0.config.json").parameters().total()).isEqualTo(222_903_552L);
    }

    @Test
    void flanT5SmallAndBase() throws IOException {
        EncoderDecoderMath small = math("flan-t5-small.resaved-4.47.0.config.json");
        assertThat(small.parameters().total()).isEqualTo(76_961_152L);
        assertThat(small.parameters().lmHead()).isEqualTo(32_128L * 512);
        assertThat(small.shape().mlp()).isEqualTo(MlpKind.GATED);
        assertThat(math("flan-t5-base.resaved-4.54.1.config.json").parameters().total()).isEqualTo(247_577_856L);
    }

    @Test
    void bartBaseAndLargeCnn() throws IOException {
        assertThat(math("bart-base.hub-original.config.json").parameters().total()).isEqualTo(139_420_416L);
        EncoderDecoderMath cnn = math("bart-large-cnn.hub-original.config.json");
        assertThat(cnn.parameters().total()).isEqualTo(406_290_432L);
        assertThat(cnn.parameters().positionEmbedding()).isEqualTo(2L * 1026 * 1024);
    }
}
