package io.lem.runner.model.hub;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** For non-terminals: a log line when a download starts and one when it ends, no progress lines. */
final class LoggingProgress implements DownloadListener {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingProgress.class);

    private long startNanos;

    @Override
    public void started(String repoId, String file, long totalBytes, long resumedFrom) {
        startNanos = System.nanoTime();
        LOG.info("downloading {} {} ({}{})", repoId, file, totalBytes >= 0 ? ConsoleProgress.mb(totalBytes)
                : "size unknown", resumedFrom > 0 ? ", resuming at " + ConsoleProgress.mb(resumedFrom) : "");
    }

    @Override
    public void progressed(String repoId, String file, long bytesDone) {
    }

    @Override
    public void finished(String repoId, String file, long bytes) {
        LOG.info("downloaded {} {} ({} in {} s)", repoId, file, ConsoleProgress.mb(bytes),
                String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - startNanos) / 1e9));
    }

    @Override
    public void failed(String repoId, String file, String reason) {
        LOG.warn("download of {} {} failed: {}", repoId, file, reason);
    }
}
