package io.lem.runner.model;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.runner.config.FpPrecision;
import io.lem.runner.engine.ConfigValues;
import io.lem.runner.engine.EngineException;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.model.bart.BartConfiguration;
import io.lem.runner.model.t5.T5Configuration;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine reads the real T5, flan-t5 and BART configs of {@code ../shared/reference/hf-configs} (old ones omit
 * {@code feed_forward_proj} and {@code tie_word_embeddings}: the defaults apply). Skipped when the directory is absent.
 */
class EncoderDecoderReferenceConfigsTest {

    private static Map<String, Object> config(String file) throws IOException {
        Path dir = Path.of(System.getProperty("lem.shared.dir", "../shared"), "reference", "hf-configs");
        assumeTrue(Files.isDirectory(dir), "no reference configs at " + dir);
        return new ObjectMapper().readValue(dir.resolve(file).toFile(), new TypeReference<Map<String, Object>>() {
        });
    }

    @Test
    void t5V1DefaultsToReluAndATiedHead() throws IOException {
        Map<String, Object> c = config("t5-small.hub-original.config.json");
        T5Configuration t5 = T5Configuration.from(new ConfigValues(c));
        assertThat(t5.activation()).isEqualTo("relu");
        assertThat(t5.gated()).isFalse();
        assertThat(t5.tieWordEmbeddings()).isTrue();
        assertThat(t5.decoderStartTokenId()).isZero();
        assertThat(InferenceEngine.validate(c, EngineOptions.cpu(FpPrecision.FLOAT32))).isEqualTo("t5");
        InferenceEngine.checkEncoderDecoder(true, c);
        assertThatThrownBy(() -> InferenceEngine.checkEncoderDecoder(false, c)).isInstanceOf(EngineException.class)
                .hasMessageContaining("set is_encoder_decoder: true");
    }

    @Test
    void flanT5IsGatedGeluNewWithASeparateHead() throws IOException {
        for (String file : new String[] {"flan-t5-small.resaved-4.47.0.config.json",
                "flan-t5-base.resaved-4.54.1.config.json"}) {
            T5Configuration t5 = T5Configuration.from(new ConfigValues(config(file)));
            assertThat(t5.activation()).isEqualTo("gelu_new");
            assertThat(t5.gated()).isTrue();
            assertThat(t5.tieWordEmbeddings()).isFalse();
            assertThat(t5.numBuckets()).isEqualTo(32);
            assertThat(t5.maxDistance()).isEqualTo(128);
        }
    }

    @Test
    void bartLargeCnnForcesBosAndEos() throws IOException {
        Map<String, Object> c = config("bart-large-cnn.hub-original.config.json");
        BartConfiguration bart = BartConfiguration.from(new ConfigValues(c));
        assertThat(bart.decoderStartTokenId()).isEqualTo(2);
        assertThat(bart.forcedBosTokenId()).isZero();
        assertThat(bart.forcedEosTokenId()).isEqualTo(2);
        assertThat(bart.scaleEmbedding()).isFalse();
        assertThat(bart.activation()).isEqualTo("gelu");
        assertThat(InferenceEngine.validate(config("bart-base.hub-original.config.json"),
                EngineOptions.cpu(FpPrecision.FLOAT32))).isEqualTo("bart");
    }
}
