package io.lem.plugins.rapl;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the RAPL zones worth measuring under a powercap root.
 *
 * <p>Layout: {@code /sys/class/powercap} lists every zone flat ({@code intel-rapl:0}, {@code intel-rapl:0:0}, …) and
 * each top-level zone directory also holds its subzones; {@code /sys/devices/virtual/powercap/intel-rapl} only nests.
 * Both are read, as is a root one level up that holds control-type directories, and zones are de-duplicated by id. Intel and AMD kernels both name the control type
 * {@code intel-rapl} (AMD Zen through {@code intel_rapl_msr} since Linux 5.8); {@code amd-rapl} is accepted too.
 *
 * <p>What is kept, so that nothing is counted twice:
 * <ul>
 *   <li>top-level {@code package-N} (or {@code package-N-die-M} on multi-die parts): the whole socket;</li>
 *   <li>{@code dram}, a subzone of its package (or a top-level zone on some servers);</li>
 *   <li>not {@code core}/{@code uncore}: they are parts of their package;</li>
 *   <li>not {@code psys}: the whole platform (SoC + more) on client parts, overlapping packages and DRAM;</li>
 *   <li>a second control type exposing the same package (e.g. {@code intel-rapl-mmio:0}, the MMIO view of the same
 *   counter): the first zone giving a device key wins, plain {@code intel-rapl} first.</li>
 * </ul>
 */
final class PowercapTree {

    private static final Pattern ZONE_ID = Pattern.compile("((?:intel|amd)-rapl(?:-[a-z]+)?):(\\d+)(?::(\\d+))?");
    private static final Pattern CONTROL_TYPE = Pattern.compile("(?:intel|amd)-rapl(?:-[a-z]+)?");
    private static final Pattern PACKAGE = Pattern.compile("package-(\\d+(?:-die-\\d+)?)");

    private PowercapTree() {
    }

    private record Zone(String id, String controlType, int index, int subIndex, Path dir) {
        boolean topLevel() {
            return subIndex < 0;
        }

        String parentId() {
            return controlType + ":" + index;
        }
    }

    /** The measurable domains under {@code root}, packages first; empty when there is none (or no root). */
    static List<RaplDomain> scan(Path root, String host, SysfsReader reader) throws IOException {
        Map<String, Zone> zones = new TreeMap<>();
        List<Path> top = list(root);
        List<Path> entries = new ArrayList<>(top);
        for (Path entry : top) {
            // a root above the control types (/sys/devices/virtual/powercap) holds zones one level down
            if (CONTROL_TYPE.matcher(entry.getFileName().toString()).matches()) {
                entries.addAll(list(entry));
            }
        }
        for (Path entry : entries) {
            Zone zone = zone(entry);
            if (zone != null) {
                zones.putIfAbsent(zone.id(), zone);
                if (zone.topLevel()) {
                    for (Path child : list(entry)) {
                        Zone sub = zone(child);
                        if (sub != null && !sub.topLevel()) {
                            zones.putIfAbsent(sub.id(), sub);
                        }
                    }
                }
            }
        }
        List<Zone> ordered = new ArrayList<>(zones.values());
        ordered.sort(Comparator.comparingInt((Zone z) -> controlTypeRank(z.controlType()))
                .thenComparing(Zone::controlType)
                .thenComparingInt(Zone::index)
                .thenComparingInt(Zone::subIndex));

        Map<String, String> names = new LinkedHashMap<>();
        for (Zone zone : ordered) {
            String name = readOrNull(reader, zone.dir().resolve("name"));
            if (name != null) {
                names.put(zone.id(), name);
            }
        }
        Map<String, RaplDomain> byKey = new LinkedHashMap<>();
        for (Zone zone : ordered) {
            String name = names.get(zone.id());
            Path energy = zone.dir().resolve("energy_uj");
            if (name == null || !Files.exists(energy)) {
                continue;
            }
            String key = deviceKey(zone, name, names.get(zone.parentId()), host);
            if (key == null || byKey.containsKey(key)) {
                continue;
            }
            String range = readOrNull(reader, zone.dir().resolve("max_energy_range_uj"));
            byKey.put(key, new RaplDomain(key, key.startsWith("cpu:") ? "cpu" : "dram", zone.id(), name, energy,
                    parseRange(range)));
        }
        List<RaplDomain> domains = new ArrayList<>(byKey.values());
        domains.sort(Comparator.comparing((RaplDomain d) -> d.kind().equals("dram")));
        return domains;
    }

    private static String deviceKey(Zone zone, String name, String parentName, String host) {
        Matcher pkg = PACKAGE.matcher(name);
        if (zone.topLevel()) {
            if (pkg.matches()) {
                return "cpu:" + host + ":package-" + pkg.group(1);
            }
            return name.equals("dram") ? "dram:" + host + ":" + zone.index() : null;
        }
        if (!name.equals("dram")) {
            return null; // core, uncore: already inside their package
        }
        Matcher parent = parentName == null ? null : PACKAGE.matcher(parentName);
        return "dram:" + host + ":" + (parent != null && parent.matches() ? parent.group(1) : zone.index());
    }

    private static int controlTypeRank(String controlType) {
        switch (controlType) {
            case "intel-rapl":
                return 0;
            case "amd-rapl":
                return 1;
            default:
                return 2;
        }
    }

    private static Zone zone(Path entry) {
        Matcher m = ZONE_ID.matcher(entry.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(entry)) {
            return null;
        }
        int sub = m.group(3) == null ? -1 : Integer.parseInt(m.group(3));
        return new Zone(m.group(), m.group(1), Integer.parseInt(m.group(2)), sub, entry);
    }

    private static List<Path> list(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        }
        return entries;
    }

    private static String readOrNull(SysfsReader reader, Path file) {
        try {
            return reader.read(file);
        } catch (IOException e) {
            return null;
        }
    }

    private static long parseRange(String text) {
        try {
            return text == null ? 0 : Math.max(0, Long.parseLong(text));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
