package io.lem.runner.process;

import java.nio.file.Path;

/**
 * How a runner process ended.
 *
 * @param status        completed, failed or cancelled
 * @param batches       measured batches completed (warm-up excluded)
 * @param warmupBatches warm-up batches completed
 * @param inputTokens   real prompt tokens over the measured batches
 * @param outputTokens  generated tokens over the measured batches
 * @param durationNanos measured window: start of the first measured batch to the end of the last; 0 without batches
 * @param totalNanos    the whole process, model loading included
 * @param lastSeq       seq of the process's last event (its ProcessCompleted or ProcessFailed); -1 when the runner
 *                      could not emit it (the sink failed, or nothing was emitted)
 * @param error         one-line reason of a failure ({@code cancelled} when cancelled); null when completed
 * @param outputsFile   the {@code save_outputs} file when one was written, else null
 */
public record RunnerOutcome(Status status, int batches, int warmupBatches, long inputTokens, long outputTokens,
                            long durationNanos, long totalNanos, long lastSeq, String error, Path outputsFile) {

    /** The exit code of {@link RunnerMain} for each way a process ends. */
    public enum Status {
        COMPLETED(RunnerMain.EXIT_OK),
        FAILED(RunnerMain.EXIT_FAILED),
        CANCELLED(RunnerMain.EXIT_CANCELLED);

        private final int exitCode;

        Status(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }

        /** {@code completed}, {@code failed} or {@code cancelled}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public boolean completed() {
        return status == Status.COMPLETED;
    }

    public int exitCode() {
        return status.exitCode();
    }
}
