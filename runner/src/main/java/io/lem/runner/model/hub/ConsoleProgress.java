package io.lem.runner.model.hub;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One progress line on a terminal, rewritten in place ({@code \r}) at most ten times a second:
 * {@code org/name model.safetensors  42% 113.2/269.1 MB 38.5 MB/s}; a newline when the file is done.
 */
public final class ConsoleProgress implements DownloadListener {

    private static final long MIN_INTERVAL_NANOS = 100_000_000L;

    private final PrintStream out;
    private long total;
    private long startNanos;
    private long startBytes;
    private long lastPrint;
    private int lastWidth;

    public ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void started(String repoId, String file, long totalBytes, long resumedFrom) {
        total = totalBytes;
        startNanos = System.nanoTime();
        startBytes = resumedFrom;
        lastPrint = 0;
        lastWidth = 0;
        print(repoId, file, resumedFrom, true);
    }

    @Override
    public synchronized void progressed(String repoId, String file, long bytesDone) {
        print(repoId, file, bytesDone, false);
    }

    @Override
    public synchronized void finished(String repoId, String file, long bytes) {
        print(repoId, file, bytes, true);
        out.print('\n');
        out.flush();
    }

    @Override
    public synchronized void failed(String repoId, String file, String reason) {
        out.print('\n');
        out.flush();
    }

    private void print(String repoId, String file, long done, boolean force) {
        long now = System.nanoTime();
        if (!force && now - lastPrint < MIN_INTERVAL_NANOS) {
            return;
        }
        lastPrint = now;
        double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
        double rate = (done - startBytes) / seconds;
        String line;
        if (total > 0) {
            line = String.format(Locale.ROOT, "%s %s %3d%% %s/%s %s/s", repoId, file, (int) (100 * done / total),
                    mb(done), mb(total), mb(rate));
        } else {
            line = String.format(Locale.ROOT, "%s %s %s %s/s", repoId, file, mb(done), mb(rate));
        }
        StringBuilder sb = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < lastWidth; i++) {
            sb.append(' ');
        }
        lastWidth = line.length();
        out.print(sb);
        out.flush();
    }

    static String mb(double bytes) {
        if (bytes < 1e6) {
            return String.format(Locale.ROOT, "%.1f kB", bytes / 1e3);
        }
        if (bytes < 1e9) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
