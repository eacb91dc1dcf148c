package io.lem.cli.run;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Live progress of all runner processes, from their {@code LEM-PROGRESS} lines: batches done of planned, output
 * tokens, tokens/s over the launcher's wall clock, elapsed and ETA, and the latest power per device with their sum.
 * A device key reported by two processes counts once (the latest line wins), as energy does in the results.
 * Printed at most once per interval.
 */
final class ProgressBoard {

    private record Latest(String phase, int batch, int batches, long outputTokens) {
    }

    private final ConcurrentMap<String, Double> watts = new ConcurrentHashMap<>();

    private final ConcurrentMap<Integer, Latest> latest = new ConcurrentHashMap<>();
    private final PrintWriter out;
    private final int processes;
    private final long startNanos = System.nanoTime();
    private final long intervalNanos;
    private long lastPrintNanos;

    ProgressBoard(PrintWriter out, int processes, long intervalNanos) {
        this.out = out;
        this.processes = processes;
        this.intervalNanos = intervalNanos;
    }

    /** Warm-up lines count their own batches and tokens: only "started" and "run" lines move the board. */
    void update(JsonNode progress) {
        String phase = progress.path("phase").asText();
        int process = progress.path("process").asInt();
        progress.path("powerWatts").fields().forEachRemaining(e -> {
            if (e.getValue().isNumber()) {
                watts.put(e.getKey(), e.getValue().asDouble());
            }
        });
        if (phase.equals("started")) {
            latest.put(process, new Latest(phase, 0, progress.path("batches").asInt(), 0));
        } else if (phase.equals("run")) {
            latest.put(process, new Latest(phase, progress.path("batch").asInt(), progress.path("batches").asInt(),
                    progress.path("outputTokens").asLong()));
        }
        maybePrint(false);
    }

    synchronized void maybePrint(boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastPrintNanos < intervalNanos) {
            return;
        }
        lastPrintNanos = now;
        out.println(line(now));
        out.flush();
    }

    String line(long now) {
        int done = 0;
        int planned = 0;
        long tokens = 0;
        int started = 0;
        for (Latest l : latest.values()) {
            started++;
            planned += l.batches();
            done += l.batch();
            tokens += l.outputTokens();
        }
        double elapsed = (now - startNanos) / 1e9;
        String eta = done > 0 && planned > done && started == processes
                ? String.format(", ETA %.0f s", elapsed / done * (planned - done)) : "";
        return String.format("[%6.1f s] %d/%d processes started, batches %d/%d, %,d output tokens, %.1f tokens/s%s%s",
                elapsed, started, processes, done, planned, tokens, elapsed > 0 ? tokens / elapsed : 0.0, eta,
                power());
    }

    /** {@code ", 268 W: gpu:GPU-1a2b3c4d 251 W, cpu:h:package-0 8.0 W"}, or nothing before the first reading. */
    private String power() {
        if (watts.isEmpty()) {
            return "";
        }
        TreeMap<String, Double> sorted = new TreeMap<>(watts);
        double total = sorted.values().stream().mapToDouble(Double::doubleValue).sum();
        StringJoiner devices = new StringJoiner(", ");
        sorted.forEach((key, w) -> devices.add(shortKey(key) + " " + watts(w)));
        return ", " + watts(total) + ": " + devices;
    }

    private static String watts(double w) {
        return String.format(Locale.ROOT, w >= 100 ? "%.0f W" : "%.1f W", w);
    }

    /** GPU keys carry a 36-character UUID; its first 8 hex digits tell the devices of one host apart. */
    static String shortKey(String key) {
        if (key.startsWith("gpu:GPU-") && key.length() > "gpu:GPU-".length() + 8) {
            return key.substring(0, "gpu:GPU-".length() + 8);
        }
        return key;
    }
}
