package io.lem.runner.model;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ModelFilesEngineConfigTest {

    private static ModelFiles files(Map<String, Object> config, Map<String, Object> generation) {
        return new ModelFiles(Path.of("m"), null, null, null, config, generation, null, null, null);
    }

    @Test
    void generationConfigSettingsTakePrecedenceForTheEngine() {
        Map<String, Object> config = Map.of("model_type", "bart", "decoder_start_token_id", 2);
        ModelFiles plain = files(config, null);
        assertThat(plain.engineConfig()).isEqualTo(config);

        ModelFiles newer = files(config, Map.of("decoder_start_token_id", 7, "forced_bos_token_id", 0,
                "forced_eos_token_id", 2, "max_length", 142));
        assertThat(newer.engineConfig()).containsEntry("model_type", "bart").containsEntry("decoder_start_token_id", 7)
                .containsEntry("forced_bos_token_id", 0).containsEntry("forced_eos_token_id", 2)
                .doesNotContainKey("max_length");
        assertThat(newer.config()).doesNotContainKey("forced_bos_token_id");
    }
}
