package io.lem.runner.model.safetensors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every header defect fails opening with a one-line message naming the file and what is wrong. */
class SafetensorsHeaderTest {

    @TempDir
    Path dir;

    private Path file(long headerLength, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(h);
        Path p = dir.resolve("model.safetensors");
        Files.write(p, b.array());
        return p;
    }

    private Path file(String header, int dataBytes) throws IOException {
        return file(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private void assertDefect(Path p, String expected) {
        assertThatThrownBy(() -> SafetensorsFile.open(p).close())
                .isInstanceOf(SafetensorsFormatException.class)
                .hasMessageStartingWith(p + ": ")
                .hasMessageContaining(expected)
                .hasMessageNotContaining("\n");
    }

    @Test
    void tooShortForTheLength() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        assertDefect(p, "file is 3 bytes long, too short for the 8-byte header length");
    }

    @Test
    void negativeHeaderLength() throws IOException {
        assertDefect(file(-5, "{}", 0), "header length is negative (-5 as a signed 64-bit integer)");
    }

    @Test
    void oversizedHeaderLength() throws IOException {
        assertDefect(file(100_000_001L, "{}", 0), "header length 100000001 exceeds the limit of 100000000 bytes");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        assertDefect(file(4000, "{}", 0), "header length 4000 reaches beyond the end of the file (10 bytes)");
    }

    @Test
    void headerNotJson() throws IOException {
        assertDefect(file("{\"a\": ", 0), "header is not valid JSON");
        assertDefect(file("", 0), "header is not valid JSON");
        assertDefect(file("{} {}", 0), "header is not valid JSON");
    }

    @Test
    void duplicateTensorNamesAreNotValidJson() throws IOException {
        String t = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        assertDefect(file("{\"a\":" + t + ",\"a\":" + t + "}", 4), "Duplicate field 'a'");
    }

    @Test
    void headerNotAnObject() throws IOException {
        assertDefect(file("[1, 2]", 0), "header is not a JSON object but an array");
        assertDefect(file("\"x\"", 0), "header is not a JSON object but a string");
    }

    @Test
    void unknownDtype() throws IOException {
        assertDefect(file("{\"w\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w' has unknown dtype 'F17'");
    }

    @Test
    void malformedEntries() throws IOException {
        assertDefect(file("{\"w\": 3}", 0), "tensor 'w' must be a JSON object with dtype, shape and data_offsets");
        assertDefect(file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w' has no dtype string");
        assertDefect(file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "tensor 'w' has no shape array");
        assertDefect(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w' has an invalid dimension -1 in shape [-1]");
        assertDefect(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
                "tensor 'w' needs data_offsets [begin, end]");
        assertDefect(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4),
                "tensor 'w' has data_offsets [4,0] that end before they begin");
    }

    @Test
    void shapeTimesDtypeSizeMustEqualTheByteRange() throws IOException {
        assertDefect(file("{\"w\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,8]}}", 8),
                "tensor 'w' has shape [2,3] of BF16 (6 elements = 12 bytes) but data_offsets [0,8] span 8 bytes");
    }

    @Test
    void offsetsOutOfRange() throws IOException {
        assertDefect(file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4),
                "tensor 'w' has data_offsets [0,8] out of range: the data section holds 4 bytes");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertDefect(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12),
                "tensor 'b' bytes [4, 12) overlap tensor 'a' bytes [0, 8)");
    }

    @Test
    void dataNotCovered() throws IOException {
        assertDefect(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12),
                "data bytes [4, 8) are not covered by any tensor (next tensor 'b')");
        assertDefect(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 6),
                "data bytes [4, 6) at the end of the file are not covered by any tensor");
        assertDefect(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
                "data bytes [0, 4) are not covered by any tensor (next tensor 'a')");
    }

    @Test
    void metadataIsAllowedButMustMapStringsToStrings() throws IOException {
        Path ok = file("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}    ", 4);
        try (SafetensorsFile st = SafetensorsFile.open(ok)) {
            assertThat(st.names()).containsExactly("a");
            assertThat(st.metadata()).containsEntry("format", "pt");
        }
        assertDefect(file("{\"__metadata__\":{\"n\":1}}", 0), "__metadata__ value of 'n' must be a string");
        assertDefect(file("{\"__metadata__\":[]}", 0), "__metadata__ must be a JSON object of strings");
    }

    @Test
    void anEmptyCheckpointIsValid() throws IOException {
        try (SafetensorsFile st = SafetensorsFile.open(file("{}", 0))) {
            assertThat(st.names()).isEmpty();
        }
    }

    @Test
    void knownDtypesLemDoesNotConvertAreValidatedAndSetAside() throws IOException {
        Path p = file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[16,19]},"
                + "\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[19,23]}}", 23);
        try (SafetensorsFile st = SafetensorsFile.open(p)) {
            assertThat(st.names()).containsExactly("w");
            assertThat(st.unsupportedTensors()).containsEntry("ids", "I64").containsEntry("mask", "BOOL");
            assertThatThrownBy(() -> st.floats("ids")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("tensor 'ids' in model.safetensors has dtype I64, which lem cannot "
                            + "convert to float32");
        }
        assertDefect(file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "tensor 'ids' has shape [2] of I64 (2 elements = 16 bytes) but data_offsets [0,8] span 8 bytes");
    }
}
