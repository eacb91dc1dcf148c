package io.lem.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Bytes each Java thread allocated on the heap between two instants, grouped as {@link ThreadCpu} groups them: what
 * fills the young generation, and so what brings the next collection, whose pause stops the generation thread too.
 */
final class ThreadAllocation {
    private final Map<Long, String> names;
    private final Map<Long, Long> bytes;

    private ThreadAllocation(Map<Long, String> names, Map<Long, Long> bytes) {
        this.names = names;
        this.bytes = bytes;
    }

    static ThreadAllocation take() {
        Map<Long, String> names = new HashMap<>();
        Map<Long, Long> bytes = new HashMap<>();
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported()) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                long allocated = threads.getThreadAllocatedBytes(t.getId());
                if (allocated >= 0) {
                    names.put(t.getId(), t.getName());
                    bytes.put(t.getId(), allocated);
                }
            }
        }
        return new ThreadAllocation(names, bytes);
    }

    /** Printable lines, largest first: {@code top} groups, the rest summed, and the total. */
    List<String> reportSince(ThreadAllocation start, int top) {
        Map<String, Long> groups = new HashMap<>();
        long total = 0;
        for (Map.Entry<Long, Long> e : bytes.entrySet()) {
            long used = e.getValue() - start.bytes.getOrDefault(e.getKey(), 0L);
            if (used > 0) {
                groups.merge(ThreadCpu.group(names.get(e.getKey())), used, Long::sum);
                total += used;
            }
        }
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        List<String> out = new ArrayList<>();
        long rest = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i < top) {
                out.add(String.format(Locale.ROOT, "%10.1f MB  %s", sorted.get(i).getValue() / 1e6,
                        sorted.get(i).getKey()));
            } else {
                rest += sorted.get(i).getValue();
            }
        }
        if (rest > 0) {
            out.add(String.format(Locale.ROOT, "%10.1f MB  (%d other thread groups)", rest / 1e6, sorted.size() - top));
        }
        out.add(String.format(Locale.ROOT, "%10.1f MB  = all Java threads", total / 1e6));
        return out;
    }
}
