package io.lem.plugins.flops;

import io.lem.api.flops.ModelArchitecture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Parameter counts of real configs from {@code ../shared/reference/hf-configs} against the published counts of these
 * models (what {@code sum(p.numel() for p in model.parameters())} reports). Skipped when {@code ../shared} is absent.
 */
class ReferenceConfigsTest {

    private static Path configs;

    @BeforeAll
    static void locateSharedConfigs() {
        Path shared = Path.of(System.getProperty("lem.shared.dir", "../../../shared"));
        configs = shared.resolve("reference/hf-configs");
        assumeTrue(Files.isDirectory(configs), "no reference configs at " + configs.toAbsolutePath());
    }

    private static ArchitectureMath math(String file) throws IOException {
        return new ArchitectureMath(HfConfig.shapeOf(HfConfig.read(configs.resolve(file))));
    }

    @Test
    void gpt2Small() throws IOException {
        ParameterCount p = math("gpt2.config.json").parameters();

        assertThat(p.total()).isEqualTo(124_439_808L);
        assertThat(p.lmHead()).isZero();
        assertThat(p.embedding()).isEqualTo(50257L * 768 + 1024L * 768);
    }

    @Test
    void gpt2Medium() throws IOException {
        assertThat(math("gpt2-medium.loaded-config.transformers-4.12.5.json").parameters().total())
                .isEqualTo(354_823_168L);
    }

    @Test
    void llama2With7Billion() throws IOException {
        ArchitectureMath llama = math("Llama-2-7b-hf.config.json");

        assertThat(llama.parameters().total()).isEqualTo(6_738_415_616L);
        // 2 (k, v) · 32 layers · 4096 · 2 bytes = 0.5 MiB per token in float16
        assertThat(llama.kvCacheBytesPerToken(Precision.FLOAT16)).isEqualTo(524_288L);
        // no biases: the linear MACs of a token are exactly the non-embedding weights other than norms
        assertThat(llama.linearMacsPerToken().total())
                .isEqualTo(llama.parameters().nonEmbedding() - llama.parameters().norms());
    }

    @Test
    void mistral7B() throws IOException {
        ArchitectureMath mistral = math("Mistral-7B-v0.1.loaded-config.transformers-4.37.2.json");

        assertThat(mistral.parameters().total()).isEqualTo(7_241_732_096L);
        // grouped-query attention: 8 KV heads of 128
        assertThat(mistral.kvCacheBytesPerToken(Precision.BFLOAT16)).isEqualTo(2L * 32 * 8 * 128 * 2);
    }

    @Test
    void tinyLlama() throws IOException {
        assertThat(math("TinyLlama-1.1B-Chat-v1.0.resaved-config.transformers-4.56.0.json").parameters().total())
                .isEqualTo(1_100_048_384L);
    }

    @Test
    void smolLm2() throws IOException {
        ParameterCount p = math("SmolLM2-135M.config.json").parameters();

        assertThat(p.total()).isEqualTo(134_515_008L);
        assertThat(p.lmHead()).isZero();
    }

    @Test
    void qwen25HalfBillionWithQkvBias() throws IOException {
        ArchitectureMath qwen = math("Qwen2.5-0.5B.config.json");

        assertThat(qwen.parameters().total()).isEqualTo(494_032_768L);
        assertThat(qwen.weightBytes(Precision.BFLOAT16)).isEqualTo(2 * 494_032_768L);
    }

    @Test
    void encoderDecodersAndOtherTypesAreRefusedWithTheSupportedList() throws IOException {
        for (String file : new String[] {"t5-small.hub-original.config.json", "phi-2.config.json"}) {
            ModelArchitecture model = HfConfig.read(configs.resolve(file));
            assertThatThrownBy(() -> HfConfig.shapeOf(model))
                    .as(file)
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("supported: gpt2, llama, mistral, qwen2");
        }
    }
}
