package io.lem.api.event;

/**
 * The launcher saw every process end.
 *
 * @param status        {@code completed}, {@code failed} or {@code cancelled}
 * @param numProcesses  processes launched
 * @param failedProcesses processes that failed
 * @param durationNanos launcher's wall time from start to end
 */
public record ExperimentCompleted(Envelope envelope, String status, int numProcesses, int failedProcesses,
                                  long durationNanos) implements LemEvent {
}
