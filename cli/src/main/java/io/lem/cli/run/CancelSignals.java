package io.lem.cli.run;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ctrl-C (SIGINT) and SIGTERM handled by {@code lem run} itself instead of by JVM shutdown. With the JVM's default
 * handling, a signal starts the shutdown hooks and the JVM halts when they return, racing the launcher's own work of
 * recording the experiment as cancelled, printing the summary and exporting {@code results/}; with these handlers
 * the first signal only asks the runners to stop and the launcher finishes normally. A second signal kills the
 * runners without waiting. {@link #close()} restores the previous handlers (tests run {@code lem run} in-process).
 *
 * <p>{@code sun.misc.Signal} is in the {@code jdk.unsupported} module, there for exactly this; where a signal cannot be
 * handled (e.g. {@code -Xrs}) the JVM's default stays and the launcher's shutdown hook is the fallback.
 */
final class CancelSignals implements AutoCloseable {

    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private final List<Signal> installed = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();
    private final AtomicInteger received = new AtomicInteger();

    private CancelSignals() {
    }

    /**
     * @param cancel on the first signal: ask the runners to stop; must not block for long
     * @param force  on a later signal: stop them now
     */
    static CancelSignals install(Runnable cancel, Runnable force) {
        CancelSignals signals = new CancelSignals();
        SignalHandler handler = signal -> {
            if (signals.received.incrementAndGet() == 1) {
                cancel.run();
            } else {
                force.run();
            }
        };
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                signals.previous.add(Signal.handle(signal, handler));
                signals.installed.add(signal);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // not on this platform or reserved by the JVM (-Xrs): the default handling and the hook remain
            }
        }
        return signals;
    }

    /** Signals received so far. */
    int received() {
        return received.get();
    }

    @Override
    public void close() {
        for (int i = 0; i < installed.size(); i++) {
            try {
                Signal.handle(installed.get(i), previous.get(i));
            } catch (IllegalArgumentException e) {
                // cannot happen for a handler that was installed; nothing to restore then
            }
        }
        installed.clear();
        previous.clear();
    }
}
