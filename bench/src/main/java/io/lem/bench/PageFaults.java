package io.lem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's page faults so far, from {@code /proc/self/stat} (Linux; -1 elsewhere). On the development VM a
 * first touch of a page costs 12-14 µs (a C probe touching fresh anonymous memory), 30 to 50 times a bare-metal
 * host, so memory a side touches for the first time inside its window shows in its wall time.
 */
record PageFaults(long minor, long major) {

    static PageFaults take() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the parenthesised command name, which may itself hold spaces: state is field 3
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new PageFaults(Long.parseLong(f[7]), Long.parseLong(f[9]));
        } catch (IOException | RuntimeException e) {
            return new PageFaults(-1, -1);
        }
    }

    /** Minor faults since {@code before}, or -1 when unknown. */
    long minorSince(PageFaults before) {
        return minor < 0 || before.minor < 0 ? -1 : minor - before.minor;
    }
}
