package io.lem.plugins.rapl;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds a powercap tree in a temporary directory, laid out like /sys/class/powercap. */
final class FakePowercap {

    static final long INTEL_RANGE_UJ = 262_143_999_938L;

    final Path root;

    FakePowercap(Path root) {
        this.root = root;
    }

    /** A zone; a subzone ({@code x:N:M}) is nested inside its parent directory, as in the device tree. */
    Path zone(String id, String name, long energyUj, long maxRangeUj) {
        String[] parts = id.split(":");
        Path dir = parts.length == 3 ? root.resolve(parts[0] + ":" + parts[1]).resolve(id) : root.resolve(id);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("name"), name + "\n");
            Files.writeString(dir.resolve("max_energy_range_uj"), maxRangeUj + "\n");
            Files.writeString(dir.resolve("enabled"), "1\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        setEnergy(dir, energyUj);
        return dir;
    }

    void setEnergy(Path zoneDir, long energyUj) {
        try {
            Files.writeString(zoneDir.resolve("energy_uj"), energyUj + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
