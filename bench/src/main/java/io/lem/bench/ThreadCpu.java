package io.lem.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * CPU time of this JVM's threads between two instants, grouped by what the thread is (its name with ids and numbers
 * masked), plus the whole process's CPU time. Native threads the JVM does not list (GC and JIT compiler threads,
 * RocksDB's flush and compaction threads) are read from {@code /proc/self/task} by their Linux names, at the
 * kernel's 10 ms tick resolution. A thread that ended between the two snapshots is missing, so take the second one
 * before closing what was measured.
 */
final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Pattern UUID_LIKE = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern REPLAY_ID = Pattern.compile("lem-replay\\.\\d{14}\\.[0-9a-f]{8}");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    /** Linux's USER_HZ: /proc reports thread CPU time in these ticks. */
    private static final long NANOS_PER_TICK = 10_000_000L;
    /** Native threads by their Linux name ({@code /proc/self/task/<tid>/comm}), in the order they are tested. */
    private static final Map<String, Pattern> NATIVE = new LinkedHashMap<>();

    static {
        NATIVE.put("(native) garbage collector: G1 and GC worker threads",
                Pattern.compile("^(GC Thread|G1 |GC )"));
        NATIVE.put("(native) JIT compiler threads", Pattern.compile("CompilerThre|^Sweeper"));
        NATIVE.put("(native) RocksDB background threads (flush, compaction)", Pattern.compile("^rocksdb"));
        NATIVE.put("(native) VM thread (safepoints) and VM periodic task", Pattern.compile("^VM "));
    }

    private final Map<Long, String> names;
    private final Map<Long, Long> cpu;
    private final Map<String, Long> nativeTicks;
    private final long processCpu;
    private final long wall;

    private ThreadCpu(Map<Long, String> names, Map<Long, Long> cpu, Map<String, Long> nativeTicks, long processCpu,
                      long wall) {
        this.names = names;
        this.cpu = cpu;
        this.nativeTicks = nativeTicks;
        this.processCpu = processCpu;
        this.wall = wall;
    }

    static ThreadCpu take() {
        if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> cpu = new HashMap<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long nanos = THREADS.getThreadCpuTime(info.getThreadId());
            if (nanos >= 0) {
                names.put(info.getThreadId(), info.getThreadName());
                cpu.put(info.getThreadId(), nanos);
            }
        }
        return new ThreadCpu(names, cpu, nativeTicks(), processCpuNanos(), System.nanoTime());
    }

    /**
     * CPU ticks of the JVM's native threads by category, from {@code /proc/self/task} (Linux; empty elsewhere). Threads
     * of one category that ended in between are missing from the later snapshot, which is why the categories are
     * summed per snapshot and a negative difference is read as zero.
     */
    private static Map<String, Long> nativeTicks() {
        Map<String, Long> ticks = new HashMap<>();
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return ticks;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tasks)) {
            for (Path task : dirs) {
                try {
                    String comm = Files.readString(task.resolve("comm")).trim();
                    String category = null;
                    for (Map.Entry<String, Pattern> c : NATIVE.entrySet()) {
                        if (c.getValue().matcher(comm).find()) {
                            category = c.getKey();
                            break;
                        }
                    }
                    if (category == null) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // after the name: state(0) ... utime(11) stime(12)
                    ticks.merge(category, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            }
        } catch (IOException e) {
            return ticks;
        }
        return ticks;
    }

    /** What a thread is: its name with client ids, UUIDs and numbers masked. */
    static String group(String name) {
        String n = REPLAY_ID.matcher(name).replaceAll("<replay-id>");
        n = UUID_LIKE.matcher(n).replaceAll("<uuid>");
        n = DIGITS.matcher(n).replaceAll("#");
        return n;
    }

    /**
     * The CPU each group of threads used from {@code start} to this snapshot, largest first, as printable lines:
     * {@code top} groups, the rest summed, the JVM's other (native) threads and the process total.
     */
    List<String> reportSince(ThreadCpu start, int top) {
        Map<String, Long> groups = new HashMap<>();
        long javaThreads = 0;
        for (Map.Entry<Long, Long> e : cpu.entrySet()) {
            long used = e.getValue() - start.cpu.getOrDefault(e.getKey(), 0L);
            if (used <= 0) {
                continue;
            }
            groups.merge(group(names.get(e.getKey())), used, Long::sum);
            javaThreads += used;
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        double wallS = (wall - start.wall) / 1e9;
        long processUsed = processCpu - start.processCpu;
        Map<String, Long> lines = new LinkedHashMap<>();
        long rest = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i < top) {
                lines.put(sorted.get(i).getKey(), sorted.get(i).getValue());
            } else {
                rest += sorted.get(i).getValue();
            }
        }
        if (rest > 0) {
            lines.put("(" + (sorted.size() - top) + " other Java thread groups)", rest);
        }
        if (processUsed > 0) {
            long nativeKnown = 0;
            for (String category : NATIVE.keySet()) {
                long used = Math.max(0, nativeTicks.getOrDefault(category, 0L)
                        - start.nativeTicks.getOrDefault(category, 0L)) * NANOS_PER_TICK;
                lines.put(category, used);
                nativeKnown += used;
            }
            lines.put("(native) other: the rest of the process (= process - all of the above)",
                    Math.max(0, processUsed - javaThreads - nativeKnown));
        }
        List<String> out = new ArrayList<>();
        lines.forEach((name, nanos) -> out.add(String.format(Locale.ROOT, "%8.2f s CPU %5.1f%% of %.1f s wall  %s",
                nanos / 1e9, 100.0 * nanos / 1e9 / wallS, wallS, name)));
        if (processUsed > 0) {
            out.add(String.format(Locale.ROOT, "%8.2f s CPU %5.1f%% of %.1f s wall  = the whole process "
                            + "(%.2f of %d cores)", processUsed / 1e9, 100.0 * processUsed / 1e9 / wallS, wallS,
                    processUsed / 1e9 / wallS, Runtime.getRuntime().availableProcessors()));
        }
        return out;
    }

    /** CPU time, from {@code start} to this snapshot, of the Java threads whose names match, nanoseconds. */
    long cpuSince(ThreadCpu start, Pattern threadNames) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : cpu.entrySet()) {
            if (threadNames.matcher(names.get(e.getKey())).find()) {
                sum += Math.max(0, e.getValue() - start.cpu.getOrDefault(e.getKey(), 0L));
            }
        }
        return sum;
    }

    /** When this snapshot was taken ({@link System#nanoTime()}). */
    long wallNanos() {
        return wall;
    }

    /** CPU time of the JIT compiler threads from {@code start} to this snapshot, nanoseconds (10 ms ticks; 0 off Linux). */
    long jitSince(ThreadCpu start) {
        String jit = "(native) JIT compiler threads";
        return Math.max(0, nativeTicks.getOrDefault(jit, 0L) - start.nativeTicks.getOrDefault(jit, 0L)) * NANOS_PER_TICK;
    }

    /** CPU time of the whole process from {@code start} to this snapshot, nanoseconds (-1 when unknown). */
    long processCpuSince(ThreadCpu start) {
        return processCpu < 0 || start.processCpu < 0 ? -1 : processCpu - start.processCpu;
    }

    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        return -1;
    }
}
