package io.lem.bench;

import io.lem.runner.measure.BackgroundPriority;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Context switches of this process's threads between two instants, from {@code /proc/self/task/<tid>/status}
 * (Linux; empty elsewhere), grouped by thread name. Voluntary switches count how often a thread went to sleep and
 * was woken: on two cores that the generation keeps busy, every wake-up of another thread preempts one of its two
 * threads. Each name also shows its threads' nice value (the highest of them): the embedded broker, started as
 * {@code lem run} starts its local stack, runs below the generation ({@code BackgroundPriority}).
 */
record ContextSwitches(Map<String, long[]> byName) {

    static ContextSwitches take() {
        Map<String, long[]> m = new HashMap<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("\\d+", "#");
                    long voluntary = 0;
                    long involuntary = 0;
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                        }
                    }
                    int nice = BackgroundPriority.niceOf(Integer.parseInt(task.getFileName().toString())).orElse(0);
                    long[] v = m.computeIfAbsent(name, k -> new long[] {0, 0, Long.MIN_VALUE});
                    v[0] += voluntary;
                    v[1] += involuntary;
                    v[2] = Math.max(v[2], nice);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while it was read
                }
            }
        } catch (IOException e) {
            return new ContextSwitches(Map.of());
        }
        return new ContextSwitches(m);
    }

    /** The {@code top} thread names by voluntary switches since {@code before}, one line each. */
    List<String> reportSince(ContextSwitches before, int top) {
        List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        byName.forEach((name, now) -> {
            long[] then = before.byName.getOrDefault(name, new long[3]);
            rows.add(Map.entry(name, new long[] {now[0] - then[0], now[1] - then[1], now[2]}));
        });
        rows.sort((x, y) -> Long.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]));
        List<String> lines = new ArrayList<>();
        long[] total = new long[2];
        rows.forEach(r -> {
            total[0] += r.getValue()[0];
            total[1] += r.getValue()[1];
        });
        lines.add(String.format(Locale.ROOT, "%,9d voluntary %,7d preempted  all threads", total[0], total[1]));
        for (Map.Entry<String, long[]> r : rows.subList(0, Math.min(top, rows.size()))) {
            lines.add(String.format(Locale.ROOT, "%,9d voluntary %,7d preempted  nice %2d  %s", r.getValue()[0],
                    r.getValue()[1], r.getValue()[2], r.getKey()));
        }
        return lines;
    }
}
