package io.lem.runner.model.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.runner.model.weights.DType;
import io.lem.runner.model.weights.TensorInfo;
import io.lem.runner.model.weights.WeightStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    /** Values every format holds exactly: small integers and binary fractions. */
    private static float[] exactValues(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextInt(255) - 127) / 8f;
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void valuesRoundTripThroughEachDtype(DType dtype) throws IOException {
        float[] a = exactValues(6 * 7, 1);
        float[] b = exactValues(5, 2);
        Map<String, SafetensorsWriter.Tensor> tensors = new LinkedHashMap<>();
        tensors.put("layer.weight", new SafetensorsWriter.Tensor(dtype, new long[] {6, 7}, a));
        tensors.put("layer.bias", new SafetensorsWriter.Tensor(dtype, new long[] {5}, b));
        tensors.put("scalar", new SafetensorsWriter.Tensor(dtype, new long[] {}, new float[] {-0.5f}));
        tensors.put("empty", new SafetensorsWriter.Tensor(dtype, new long[] {0, 4}, new float[0]));
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors, SafetensorsWriter.ptMetadata());

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.names()).containsExactly("layer.weight", "layer.bias", "scalar", "empty");
            assertThat(st.info("layer.weight")).isEqualTo(new TensorInfo("layer.weight", dtype, new long[] {6, 7},
                    "model.safetensors"));
            assertThat(st.info("scalar").elementCount()).isEqualTo(1);
            assertThat(st.floats("layer.weight")).containsExactly(a);
            assertThat(st.floats("layer.bias")).containsExactly(b);
            assertThat(st.floats("scalar")).containsExactly(-0.5f);
            assertThat(st.floats("empty")).isEmpty();
            assertThat(st.metadata()).containsExactly(Map.entry("format", "pt"));
            assertThat(st.isPrivateMapping()).isTrue();

            FloatBuffer direct = ByteBuffer.allocateDirect(4 * (a.length + 1)).order(ByteOrder.nativeOrder())
                    .asFloatBuffer();
            direct.put(42f);
            st.readInto("layer.weight", direct);
            assertThat(direct.position()).isEqualTo(a.length + 1);
            float[] back = new float[a.length];
            direct.position(1);
            direct.get(back);
            assertThat(back).containsExactly(a);
        }
    }

    @Test
    void roundingToSixteenBitsIsToNearest() throws IOException {
        float[] v = {0.1f, -3.14159f, 1e-6f, 70000f};
        Map<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
        t.put("h", new SafetensorsWriter.Tensor(DType.F16, new long[] {4}, v));
        t.put("b", new SafetensorsWriter.Tensor(DType.BF16, new long[] {4}, v));
        Path file = dir.resolve("r.safetensors");
        SafetensorsWriter.write(file, t, Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            float[] h = st.floats("h");
            float[] b = st.floats("b");
            for (int i = 0; i < v.length; i++) {
                assertThat(h[i]).isEqualTo(HalfFloats.halfToFloat(HalfFloats.floatToHalf(v[i])));
                assertThat(b[i]).isEqualTo(HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v[i])));
            }
            assertThat(h[3]).isEqualTo(Float.POSITIVE_INFINITY);
            assertThat(b[1]).isEqualTo(-3.140625f);
        }
    }

    @Test
    void headerIsPaddedWithSpacesToEightBytesAndOffsetsAreContiguous() throws IOException {
        Map<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
        t.put("a", new SafetensorsWriter.Tensor(DType.BF16, new long[] {3}, new float[] {1, 2, 3}));
        t.put("bb", new SafetensorsWriter.Tensor(DType.F32, new long[] {2}, new float[] {4, 5}));
        Path file = dir.resolve("p.safetensors");
        SafetensorsWriter.write(file, t, Map.of());
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertThat((8 + n) % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{");
        assertThat(header.stripTrailing()).endsWith("}");
        assertThat(header.substring(header.stripTrailing().length())).matches(" *");
        JsonNode json = new ObjectMapper().readTree(header);
        assertThat(json.get("a").get("data_offsets").toString()).isEqualTo("[0,6]");
        assertThat(json.get("bb").get("data_offsets").toString()).isEqualTo("[6,14]");
        assertThat(json.get("bb").get("dtype").asText()).isEqualTo("F32");
        assertThat(bytes.length).isEqualTo(8 + n + 14);
        assertThat(json.has("__metadata__")).isFalse();
    }

    @Test
    void writingThroughRawBytesNeverReachesTheFile() throws IOException {
        Map<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
        t.put("w", new SafetensorsWriter.Tensor(DType.F32, new long[] {4}, new float[] {1, 2, 3, 4}));
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, t, Map.of());
        byte[] before = Files.readAllBytes(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            ByteBuffer raw = st.rawBytes("w");
            assertThat(raw.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
            assertThat(raw.isReadOnly()).isFalse();
            assertThat(raw.getFloat(4)).isEqualTo(2f);
            raw.putFloat(0, 99f); // an in-place op on mapped memory: copy-on-write, no crash
            assertThat(raw.getFloat(0)).isEqualTo(99f);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.floats("w")).containsExactly(1, 2, 3, 4);
        }
    }

    @Test
    void filesBeyondTheWholeMapLimitAreReadInWindows() throws IOException {
        float[] big = exactValues(10_001, 3);
        Map<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
        t.put("small", new SafetensorsWriter.Tensor(DType.F16, new long[] {3}, new float[] {1, 2, 3}));
        t.put("big32", new SafetensorsWriter.Tensor(DType.F32, new long[] {10_001}, big));
        t.put("big16", new SafetensorsWriter.Tensor(DType.BF16, new long[] {10_001}, big));
        Path file = dir.resolve("big.safetensors");
        SafetensorsWriter.write(file, t, Map.of());
        // "whole map" only up to 1 KB, windows of 1000 bytes (not a multiple of every element size on purpose)
        try (SafetensorsFile st = SafetensorsFile.open(file, 1024, 1002)) {
            assertThat(st.floats("big32")).containsExactly(big);
            assertThat(st.floats("big16")).containsExactly(big);
            assertThat(st.floats("small")).containsExactly(1, 2, 3);
            FloatBuffer fb = FloatBuffer.allocate(10_001);
            st.readInto("big16", fb);
            assertThat(fb.array()).containsExactly(big);
            assertThat(st.rawBytes("big32").getFloat(4 * 10_000)).isEqualTo(big[10_000]);
        }
    }

    @Test
    void writerStreamsPiecesAcrossTensorsAndRejectsIncompleteFiles() throws IOException {
        List<SafetensorsWriter.TensorSpec> specs = List.of(
                new SafetensorsWriter.TensorSpec("x", DType.F16, new long[] {2, 2}),
                new SafetensorsWriter.TensorSpec("y", DType.F32, new long[] {3}));
        Path file = dir.resolve("s.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, Map.of())) {
            w.append(new float[] {1, 2, 3}, 0, 3);
            w.append(new float[] {0, 4, 5, 6, 7}, 1, 4); // finishes x, starts y
            assertThat(w.currentTensor()).isNull();
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.floats("x")).containsExactly(1, 2, 3, 4);
            assertThat(st.floats("y")).containsExactly(5, 6, 7);
        }

        Path partial = dir.resolve("partial.safetensors");
        SafetensorsWriter w = SafetensorsWriter.create(partial, specs, Map.of());
        w.append(new float[] {1, 2}, 0, 2);
        assertThatThrownBy(w::close).hasMessageContaining("incomplete").hasMessageContaining("'x'");
        assertThat(partial).doesNotExist();
        assertThat(dir.resolve("partial.safetensors.tmp")).doesNotExist();

        assertThatThrownBy(() -> SafetensorsWriter.create(dir.resolve("d.safetensors"), List.of(specs.get(0),
                specs.get(0)), Map.of())).hasMessageContaining("duplicate");
    }

    @Test
    void gpt2BuffersAreOrdinaryTensorsOfTheStore() throws IOException {
        Map<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
        float[] mask = new float[16];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c <= r; c++) {
                mask[r * 4 + c] = 1;
            }
        }
        t.put("h.0.attn.bias", new SafetensorsWriter.Tensor(DType.F32, new long[] {1, 1, 4, 4}, mask));
        t.put("h.0.attn.masked_bias", new SafetensorsWriter.Tensor(DType.F32, new long[] {}, new float[] {-1e4f}));
        t.put("h.0.attn.c_attn.bias", new SafetensorsWriter.Tensor(DType.F32, new long[] {3}, new float[] {1, 2, 3}));
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, t, Map.of());
        try (WeightStore store = WeightStores.open(dir)) {
            assertThat(store.names()).containsExactlyInAnyOrder("h.0.attn.bias", "h.0.attn.masked_bias",
                    "h.0.attn.c_attn.bias");
            assertThat(store.floats("h.0.attn.bias")).containsExactly(mask);
            assertThat(store.floats("h.0.attn.masked_bias")).containsExactly(-1e4f);
            assertThat(store.names().stream().filter(WeightNames::isNonWeightBuffer))
                    .containsExactlyInAnyOrder("h.0.attn.bias", "h.0.attn.masked_bias");
        }
    }

    @Test
    void weightNamesTellBuffersFromParameters() {
        assertThat(WeightNames.isNonWeightBuffer("transformer.h.11.attn.bias")).isTrue();
        assertThat(WeightNames.isNonWeightBuffer("h.0.attn.masked_bias")).isTrue();
        assertThat(WeightNames.isNonWeightBuffer("h.0.crossattention.bias")).isTrue();
        assertThat(WeightNames.isNonWeightBuffer("model.layers.0.self_attn.rotary_emb.inv_freq")).isTrue();
        assertThat(WeightNames.isNonWeightBuffer("transformer.h.0.attn.c_attn.bias")).isFalse();
        assertThat(WeightNames.isNonWeightBuffer("transformer.h.0.attn.c_proj.bias")).isFalse();
        assertThat(WeightNames.isNonWeightBuffer("model.layers.0.self_attn.q_proj.bias")).isFalse();
        assertThat(WeightNames.isNonWeightBuffer("bias")).isFalse();
    }

    @Test
    void missingTensorsAreIllegalArgumentsNamingTensorAndFile() throws IOException {
        Map<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
        t.put("a", new SafetensorsWriter.Tensor(DType.F32, new long[] {1}, new float[] {1}));
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(file, t, Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.contains("a")).isTrue();
            assertThat(st.contains("b")).isFalse();
            assertThatThrownBy(() -> st.info("b")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'b'").hasMessageContaining("m.safetensors");
            assertThatThrownBy(() -> st.floats("b")).isInstanceOf(IllegalArgumentException.class);
        }
        SafetensorsFile closed = SafetensorsFile.open(file);
        closed.close();
        assertThatThrownBy(() -> closed.floats("a")).hasMessageContaining("closed");
    }

    @Test
    void sixteenBitConversionIsFast() throws IOException {
        int n = 4 << 20; // 4M elements, 8 MB of BF16
        float[] v = new float[n];
        Arrays.fill(v, 0.5f);
        Map<String, SafetensorsWriter.Tensor> t = new LinkedHashMap<>();
        t.put("bf", new SafetensorsWriter.Tensor(DType.BF16, new long[] {n}, v));
        t.put("h", new SafetensorsWriter.Tensor(DType.F16, new long[] {n}, v));
        Path file = dir.resolve("fast.safetensors");
        SafetensorsWriter.write(file, t, Map.of());
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            double ms = Double.MAX_VALUE;
            float[] a = null;
            float[] b = null;
            for (int run = 0; run < 12; run++) { // best of several: the first runs pay for JIT and page faults
                long start = System.nanoTime();
                a = st.floats("bf");
                b = st.floats("h");
                ms = Math.min(ms, (System.nanoTime() - start) / 1e6);
            }
            assertThat(a[n - 1]).isEqualTo(0.5f);
            assertThat(b[n - 1]).isEqualTo(0.5f);
            // about 1 ns per element here once compiled; the bound leaves room for a loaded machine
            assertThat(ms).as("best ms for 8M conversions").isLessThan(250);
        }
    }
}
