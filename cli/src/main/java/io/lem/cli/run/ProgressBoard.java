package io.lem.cli.run;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Live progress of all runner processes, from their {@code LEM-PROGRESS} lines: batches done of planned, output
 * tokens, tokens/s over the launcher's wall clock, elapsed and ETA. Printed at most once per interval.
 */
final class ProgressBoard {

    private record Latest(String phase, int batch, int batches, long outputTokens) {
    }

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
        return String.format("[%6.1f s] %d/%d processes started, batches %d/%d, %,d output tokens, %.1f tokens/s%s",
                elapsed, started, processes, done, planned, tokens, elapsed > 0 ? tokens / elapsed : 0.0, eta);
    }
}
