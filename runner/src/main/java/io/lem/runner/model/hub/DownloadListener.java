package io.lem.runner.model.hub;

/**
 * Progress of hub downloads. Calls come from the resolving thread, in order: {@code started}, any number of
 * {@code progressed}, then {@code finished} or {@code failed}.
 */
public interface DownloadListener {

    /**
     * @param totalBytes  the file's size, or -1 when the server did not say
     * @param resumedFrom bytes already on disk from an earlier, interrupted download
     */
    void started(String repoId, String file, long totalBytes, long resumedFrom);

    /** @param bytesDone bytes of the file on disk so far (including resumed bytes) */
    void progressed(String repoId, String file, long bytesDone);

    void finished(String repoId, String file, long bytes);

    default void failed(String repoId, String file, String reason) {
    }

    /** Says nothing. */
    static DownloadListener silent() {
        return new DownloadListener() {
            @Override
            public void started(String repoId, String file, long totalBytes, long resumedFrom) {
            }

            @Override
            public void progressed(String repoId, String file, long bytesDone) {
            }

            @Override
            public void finished(String repoId, String file, long bytes) {
            }
        };
    }

    /**
     * The default: on a terminal ({@code System.console() != null}) one updating progress line on stderr; otherwise
     * (batch jobs, CI, redirected output) no progress line, only a log line per file at INFO.
     */
    static DownloadListener standard() {
        return System.console() != null ? new ConsoleProgress(System.err) : new LoggingProgress();
    }
}
