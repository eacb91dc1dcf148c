package io.lem.runner.measure;

import io.lem.api.energy.MemoryReading;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The runner process's own memory: its resident set now and the highest it has been ({@code VmRSS}, {@code VmHWM} of
 * {@code /proc/self/status}), against the host's {@code MemTotal}. On a CPU run this is the model's footprint (weights,
 * activations, KV cache, the JVM): what {@code peak_memory_mb} reports when no GPU does. The high-water mark is kept
 * by the kernel, so reading it every few seconds and at the end still gives the true peak. Where {@code /proc} is
 * missing or unreadable (not Linux) there is no reading, never a made-up 0.
 *
 * <p>Device key {@code rss:<host>:process-<index>}: one per runner process, since each has its own.
 *
 * @param status     the process's {@code status} file
 * @param deviceKey  {@code rss:<host>:process-<index>}
 * @param totalBytes the host's memory, null when unknown
 */
record ProcessMemory(Path status, String deviceKey, Long totalBytes) {
    private static final long KIB = 1024;

    /** The memory of this process as {@code procRoot} ({@code /proc}, or a copy of its layout in tests) shows it. */
    static ProcessMemory of(Path procRoot, String host, int processIndex) {
        Long total = null;
        try {
            OptionalLong kib = kibibytes(Files.readAllLines(procRoot.resolve("meminfo"), StandardCharsets.US_ASCII),
                    "MemTotal:");
            total = kib.isPresent() ? kib.getAsLong() * KIB : null;
        } catch (IOException | RuntimeException e) {
            // capacity unknown: the reading goes without it
        }
        return new ProcessMemory(procRoot.resolve("self").resolve("status"), deviceKey(host, processIndex), total);
    }

    static String deviceKey(String host, int processIndex) {
        return "rss:" + host + ":process-" + processIndex;
    }

    /** Resident bytes now and at their highest; empty when the status file cannot be read or lacks them. */
    Optional<MemoryReading> read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(status, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        OptionalLong rss = kibibytes(lines, "VmRSS:");
        OptionalLong hwm = kibibytes(lines, "VmHWM:");
        if (rss.isEmpty() || hwm.isEmpty()) {
            return Optional.empty();
        }
        long used = rss.getAsLong() * KIB;
        return Optional.of(new MemoryReading(deviceKey, used, Math.max(used, hwm.getAsLong() * KIB), totalBytes));
    }

    /** The value of a {@code Name:   1234 kB} line, in KiB. */
    private static OptionalLong kibibytes(List<String> lines, String name) {
        for (String line : lines) {
            if (line.startsWith(name)) {
                String[] parts = line.substring(name.length()).trim().split("\\s+");
                try {
                    return parts.length == 2 && parts[1].equals("kB") ? OptionalLong.of(Long.parseLong(parts[0]))
                            : OptionalLong.empty();
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }
}
