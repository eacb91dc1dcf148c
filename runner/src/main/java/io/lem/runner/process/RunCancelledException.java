package io.lem.runner.process;

/** Thrown on the runner thread at the next safe point after {@link RunnerProcess#cancel()}. */
final class RunCancelledException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RunCancelledException() {
        super(RunnerProcess.CANCELLED_REASON, null, false, false);
    }
}
