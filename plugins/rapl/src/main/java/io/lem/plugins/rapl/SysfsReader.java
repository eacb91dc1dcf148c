package io.lem.plugins.rapl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads one small sysfs attribute. An interface so that tests can simulate what a fake tree cannot: a
 * root-only {@code energy_uj} when the tests themselves run as root.
 */
@FunctionalInterface
interface SysfsReader {

    SysfsReader FILES = path -> Files.readString(path).trim();

    /** The attribute's text without surrounding whitespace; {@link java.nio.file.AccessDeniedException} when denied. */
    String read(Path path) throws IOException;

    default long readLong(Path path) throws IOException {
        String text = read(path);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(path + ": not a number: '" + text + "'", e);
        }
    }
}
