package io.lem.runner.process;

/** Receives a runner process's {@link Progress} on the generating thread; must be quick and must not throw. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = progress -> {
    };

    void onProgress(Progress progress);
}
