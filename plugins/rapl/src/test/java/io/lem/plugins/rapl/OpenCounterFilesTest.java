package io.lem.plugins.rapl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenCounterFilesTest {

    @TempDir
    Path dir;

    @Test
    void anOpenFileShowsEveryNewCountAsReadingItAfreshWould() throws Exception {
        Path energy = dir.resolve("energy_uj");
        Files.writeString(energy, "262143328850\n");
        try (OpenCounterFiles files = new OpenCounterFiles()) {
            assertThat(files.readLong(energy)).isEqualTo(262_143_328_850L);
            Files.writeString(energy, "17\n"); // rewritten in place, shorter: the old tail must not survive
            assertThat(files.readLong(energy)).isEqualTo(17L);
            assertThat(files.read(energy)).isEqualTo("17");
            assertThat(files.readLong(energy)).isEqualTo(SysfsReader.FILES.readLong(energy));
        }
    }

    @Test
    void whatIsNotACountIsAnErrorNamingTheFile() throws Exception {
        Path bad = dir.resolve("energy_uj");
        Files.writeString(bad, "12a4\n");
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        Path huge = dir.resolve("huge");
        Files.writeString(huge, "9".repeat(80));
        try (OpenCounterFiles files = new OpenCounterFiles()) {
            assertThatThrownBy(() -> files.readLong(bad)).isInstanceOf(IOException.class)
                    .hasMessage(bad + ": not a number: '12a4'");
            assertThatThrownBy(() -> files.readLong(empty)).hasMessageContaining(empty + ": not a number");
            assertThatThrownBy(() -> files.readLong(huge)).hasMessageContaining("longer than 64 bytes");
            assertThatThrownBy(() -> files.readLong(dir.resolve("missing"))).isInstanceOf(NoSuchFileException.class);
        }
    }

    @Test
    void aClosedReaderRefusesToRead() throws Exception {
        Path energy = dir.resolve("energy_uj");
        Files.writeString(energy, "5\n");
        OpenCounterFiles files = new OpenCounterFiles();
        assertThat(files.readLong(energy)).isEqualTo(5);
        files.close();
        files.close(); // idempotent
        assertThatThrownBy(() -> files.readLong(energy)).hasMessageContaining("closed");
    }
}
