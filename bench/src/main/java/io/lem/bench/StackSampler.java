package io.lem.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * A simple sampling profiler of thread stacks ({@link ThreadMXBean#getThreadInfo(long[], int)} every few
 * milliseconds) for the threads whose names match a pattern. Unlike JFR's execution samples it also sees threads that
 * wait (parked, in a socket, in a lock), which is where a thread that is not busy spends its time. Each sample is
 * filed under a <em>site</em>: the Java state, the innermost frame, and the innermost frame outside the JDK (what the
 * JDK was called for), plus the lem or Kafka Streams activity the thread was in (the outermost of a few known
 * methods: processing a record, committing, polling, punctuating).
 */
final class StackSampler extends Thread {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int DEPTH = 96;

    /** Kafka Streams' run-loop activities, outermost first: the first found on a stack names what it was doing. */
    private static final String[][] ACTIVITIES = {
            {"org.apache.kafka.streams.processor.internals.TaskManager.commit", "commit (flush caches, EOS transaction)"},
            {"org.apache.kafka.streams.processor.internals.TaskExecutor.commitTasksAndMaybeUpdateCommittableOffsets",
                    "commit (flush caches, EOS transaction)"},
            {"org.apache.kafka.streams.processor.internals.StreamThread.maybeCommit", "commit (flush caches, EOS "
                    + "transaction)"},
            {"org.apache.kafka.streams.processor.internals.StreamThread.pollPhase",
                    "poll (consumer fetch, records to the tasks' queues)"},
            {"org.apache.kafka.streams.processor.internals.TaskManager.process", "process records"},
            {"org.apache.kafka.streams.processor.internals.TaskManager.punctuate", "punctuate"},
            {"org.apache.kafka.streams.processor.internals.StreamThread.checkStateUpdater", "state updater"},
    };

    private final Pattern names;
    private final long periodNanos;
    private final Map<String, Long> sites = new HashMap<>();
    private final Map<String, Long> activities = new HashMap<>();
    private final Map<Thread.State, Long> states = new HashMap<>();
    private long samples;
    private long sampleNanos;
    private volatile boolean stop;

    StackSampler(Pattern names, long periodMillis) {
        super("lem-bench-stack-sampler");
        setDaemon(true);
        this.names = names;
        this.periodNanos = TimeUnit.MILLISECONDS.toNanos(periodMillis);
    }

    @Override
    public void run() {
        long[] ids = new long[0];
        long refresh = 0;
        while (!stop) {
            long t = System.nanoTime();
            if (t - refresh > 0) {
                ids = matchingIds();
                refresh = t + TimeUnit.SECONDS.toNanos(1);
            }
            if (ids.length > 0) {
                ThreadInfo[] infos = THREADS.getThreadInfo(ids, DEPTH);
                synchronized (this) {
                    for (ThreadInfo info : infos) {
                        if (info != null) {
                            record(info);
                        }
                    }
                    sampleNanos += System.nanoTime() - t;
                }
            }
            LockSupport.parkNanos(periodNanos);
        }
    }

    private long[] matchingIds() {
        List<Long> out = new ArrayList<>();
        for (ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (info != null && names.matcher(info.getThreadName()).find()) {
                out.add(info.getThreadId());
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private void record(ThreadInfo info) {
        samples++;
        states.merge(info.getThreadState(), 1L, Long::sum);
        StackTraceElement[] stack = info.getStackTrace();
        if (stack.length == 0) {
            sites.merge(info.getThreadState() + " (no stack)", 1L, Long::sum);
            return;
        }
        String top = method(stack[0]);
        String caller = null;
        for (StackTraceElement f : stack) {
            String c = f.getClassName();
            if (!(c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun."))) {
                caller = method(f);
                break;
            }
        }
        String state = info.getThreadState() == Thread.State.RUNNABLE ? "RUNNABLE" : "WAITING";
        sites.merge(state + "  " + top + (caller == null || caller.equals(top) ? "" : "  <- " + caller), 1L,
                Long::sum);
        String activity = "other";
        outer:
        for (int i = stack.length - 1; i >= 0; i--) {
            String m = method(stack[i]);
            for (String[] a : ACTIVITIES) {
                if (m.equals(a[0])) {
                    activity = a[1];
                    break outer;
                }
            }
        }
        activities.merge(activity + ", " + (state.equals("RUNNABLE") ? "running" : "waiting"), 1L, Long::sum);
    }

    private static String method(StackTraceElement f) {
        return f.getClassName() + "." + f.getMethodName();
    }

    /** Stops sampling and returns the summary lines. */
    List<String> stopAndReport(int top) throws InterruptedException {
        stop = true;
        join(2_000);
        List<String> out = new ArrayList<>();
        synchronized (this) {
            out.add(String.format(Locale.ROOT, "%,d stack samples of threads /%s/ every %d ms (%.2f ms per "
                            + "sampling round on average); Java states %s", samples, names, periodNanos / 1_000_000,
                    samples == 0 ? 0 : sampleNanos / 1e6 / samples, states));
            out.add("by activity (outermost Kafka Streams run-loop step on the stack):");
            sorted(activities).stream().limit(top).forEach(e -> out.add(String.format(Locale.ROOT, "  %6.2f%%  %s",
                    100.0 * e.getValue() / samples, e.getKey())));
            out.add("by site (state, innermost frame <- innermost non-JDK frame):");
            sorted(sites).stream().limit(top).forEach(e -> out.add(String.format(Locale.ROOT, "  %6.2f%%  %s",
                    100.0 * e.getValue() / samples, e.getKey())));
        }
        return out;
    }

    private static List<Map.Entry<String, Long>> sorted(Map<String, Long> counts) {
        List<Map.Entry<String, Long>> list = new ArrayList<>(counts.entrySet());
        list.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        return list;
    }
}
