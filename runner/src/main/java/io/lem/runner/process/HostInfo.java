package io.lem.runner.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What {@code ProcessStarted} says about the machine.
 *
 * @param hostId   {@code /etc/machine-id} when readable, else the host name: identifies the machine even when two
 *                 hosts share a name, so host-level meters are counted once per machine
 * @param pid      this process's id
 * @param cpuModel the first {@code model name} of {@code /proc/cpuinfo}, else the JVM's {@code os.arch}
 */
record HostInfo(String hostId, long pid, String cpuModel) {

    static final Path MACHINE_ID = Path.of("/etc/machine-id");
    static final Path CPUINFO = Path.of("/proc/cpuinfo");

    static HostInfo detect(String host) {
        return new HostInfo(hostId(MACHINE_ID, host), ProcessHandle.current().pid(), cpuModel(CPUINFO));
    }

    /** {@code HOSTNAME} of the environment, else the resolver's name of this machine, else {@code localhost}. */
    static String localHostName(Map<String, String> environment) {
        String env = environment.get("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    static String hostId(Path machineId, String fallback) {
        try {
            String id = Files.readString(machineId, StandardCharsets.US_ASCII).strip();
            return id.isEmpty() ? fallback : id;
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }

    static String cpuModel(Path cpuinfo) {
        if (Files.isReadable(cpuinfo)) {
            try (Stream<String> lines = Files.lines(cpuinfo, StandardCharsets.UTF_8)) {
                String model = lines.filter(l -> l.startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).strip())
                        .filter(s -> !s.isEmpty()).findFirst().orElse(null);
                if (model != null) {
                    return model;
                }
            } catch (IOException | UncheckedIOException e) {
                // fall through to the architecture
            }
        }
        return System.getProperty("os.arch", "unknown");
    }
}
