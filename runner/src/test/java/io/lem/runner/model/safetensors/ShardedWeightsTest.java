package io.lem.runner.model.safetensors;

import io.lem.runner.model.weights.DType;
import io.lem.runner.model.weights.WeightStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShardedWeightsTest {

    private static final String S1 = "model-00001-of-00002.safetensors";
    private static final String S2 = "model-00002-of-00002.safetensors";

    @TempDir
    Path dir;

    @BeforeEach
    void shards() throws IOException {
        Map<String, SafetensorsWriter.Tensor> a = new LinkedHashMap<>();
        a.put("embed.weight", new SafetensorsWriter.Tensor(DType.BF16, new long[] {2, 2}, new float[] {1, 2, 3, 4}));
        a.put("layers.0.weight", new SafetensorsWriter.Tensor(DType.F16, new long[] {2}, new float[] {5, 6}));
        Map<String, SafetensorsWriter.Tensor> b = new LinkedHashMap<>();
        b.put("layers.1.weight", new SafetensorsWriter.Tensor(DType.F32, new long[] {3}, new float[] {7, 8, 9}));
        SafetensorsWriter.write(dir.resolve(S1), a, SafetensorsWriter.ptMetadata());
        SafetensorsWriter.write(dir.resolve(S2), b, SafetensorsWriter.ptMetadata());
    }

    private void index(String weightMap) throws IOException {
        Files.writeString(dir.resolve(ShardedWeights.INDEX_FILE),
                "{\"metadata\": {\"total_size\": 24}, \"weight_map\": {" + weightMap + "}}");
    }

    private String goodMap() {
        return "\"embed.weight\": \"" + S1 + "\", \"layers.0.weight\": \"" + S1 + "\", \"layers.1.weight\": \"" + S2
                + "\"";
    }

    @Test
    void theIndexJoinsTheShardsIntoOneStore() throws IOException {
        index(goodMap());
        try (WeightStore store = WeightStores.open(dir)) {
            assertThat(store).isInstanceOf(ShardedWeights.class);
            assertThat(store.names()).containsExactlyInAnyOrder("embed.weight", "layers.0.weight", "layers.1.weight");
            assertThat(store.info("layers.1.weight").file()).isEqualTo(S2);
            assertThat(store.info("embed.weight").dtype()).isEqualTo(DType.BF16);
            assertThat(store.floats("embed.weight")).containsExactly(1, 2, 3, 4);
            assertThat(store.floats("layers.0.weight")).containsExactly(5, 6);
            assertThat(store.floats("layers.1.weight")).containsExactly(7, 8, 9);
            assertThat(((ShardedWeights) store).metadata()).containsEntry("total_size", "24");
            assertThat(((ShardedWeights) store).shardFiles()).extracting(p -> p.getFileName().toString())
                    .containsExactly(S1, S2);
            assertThatThrownBy(() -> store.info("nope")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'nope'").hasMessageContaining(ShardedWeights.INDEX_FILE);
        }
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        index(goodMap());
        Files.delete(dir.resolve(S2));
        assertThatThrownBy(() -> WeightStores.open(dir)).isInstanceOf(SafetensorsFormatException.class)
                .hasMessage("shard " + S2 + " named by " + ShardedWeights.INDEX_FILE
                        + " (for 1 tensors, e.g. 'layers.1.weight') is missing in " + dir.toAbsolutePath());
    }

    @Test
    void theIndexMustAgreeWithTheShards() throws IOException {
        index("\"embed.weight\": \"" + S2 + "\", \"layers.0.weight\": \"" + S1 + "\"");
        assertThatThrownBy(() -> WeightStores.open(dir))
                .hasMessageContaining("weight_map puts tensor 'embed.weight' in " + S2 + " but it is in " + S1);
        index("\"ghost\": \"" + S1 + "\"");
        assertThatThrownBy(() -> WeightStores.open(dir))
                .hasMessageContaining("weight_map puts tensor 'ghost' in " + S1 + " but " + S1 + " has no such tensor");
    }

    @Test
    void aTensorInTwoShardsIsAnError() throws IOException {
        Map<String, SafetensorsWriter.Tensor> dup = new LinkedHashMap<>();
        dup.put("embed.weight", new SafetensorsWriter.Tensor(DType.F32, new long[] {1}, new float[] {0}));
        SafetensorsWriter.write(dir.resolve(S2), dup, Map.of());
        index(goodMap().replace("\"layers.1.weight\": \"" + S2 + "\"", "\"embed.weight\": \"" + S2 + "\""));
        assertThatThrownBy(() -> WeightStores.open(dir))
                .hasMessageContaining("tensor 'embed.weight' is in two shards: " + S1 + " and " + S2);
    }

    @Test
    void malformedIndexes() throws IOException {
        Files.writeString(dir.resolve(ShardedWeights.INDEX_FILE), "{\"metadata\": {}}");
        assertThatThrownBy(() -> WeightStores.open(dir)).hasMessageContaining("no \"weight_map\" object");
        Files.writeString(dir.resolve(ShardedWeights.INDEX_FILE), "not json");
        assertThatThrownBy(() -> WeightStores.open(dir)).hasMessageContaining("not valid JSON");
        index("\"w\": \"../../etc/passwd\"");
        assertThatThrownBy(() -> WeightStores.open(dir))
                .hasMessageContaining("names shard '../../etc/passwd' for tensor 'w', which is not a plain file name");
    }

    @Test
    void aSingleFileWinsOverAnIndexAndNoWeightsIsAClearError() throws IOException {
        index(goodMap());
        Map<String, SafetensorsWriter.Tensor> single = new LinkedHashMap<>();
        single.put("only", new SafetensorsWriter.Tensor(DType.F32, new long[] {1}, new float[] {1}));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), single, Map.of());
        try (WeightStore store = WeightStores.open(dir)) {
            assertThat(store).isInstanceOf(SafetensorsFile.class);
            assertThat(store.names()).containsExactly("only");
        }

        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> WeightStores.open(empty)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no model.safetensors or model.safetensors.index.json");
        Files.writeString(empty.resolve("pytorch_model.bin"), "x");
        assertThatThrownBy(() -> WeightStores.open(empty)).hasMessageContaining("PyTorch .bin weights");
    }
}
