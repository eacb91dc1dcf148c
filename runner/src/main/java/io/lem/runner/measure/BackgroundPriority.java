package io.lem.runner.measure;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Runs the local stack that {@code lem run} starts for a run (the embedded broker and aggregator, in the launcher's
 * JVM) below the runners' CPU priority: every thread of it gets a Linux nice value {@link #ENV} steps (default
 * {@value #DEFAULT_STEPS}) above the launcher's. Why: that stack folds the runners' events while they generate, on the
 * same cores, and a thread that wakes at the runners' priority takes a core from a generation at once. Measured with
 * the quickstart (2 runners on 2 cores, 10 alternating pairs): the measured window was shorter at 10 steps in 9 pairs
 * of 10, median 0.225 s against 0.288 s. Lowered, the stack runs in the gaps the generations leave and still gets
 * about a tenth of a core against a busy thread, enough to keep up; what it has not folded by the end it folds once
 * the runners have exited, before the summary.
 *
 * <p>The runners' own threads (event encoding, spooling, delivery) are NOT lowered: the generation thread waits for
 * the event thread (its hand-off lock, and the drain at the end of the window), and a lowered event thread turned
 * those waits into priority inversion: the same quickstart's window grew from 0.27-0.41 s to 0.59-0.92 s.
 *
 * <p>Linux only (the nice value of one thread is set with {@code setpriority} on its thread id); elsewhere, or when
 * the native call is unavailable, threads keep their priority and the reason is logged once. Threads started by a
 * lowered thread inherit its nice value: {@link #callLowered} starts the stack on a lowered thread, so every thread the
 * broker and Kafka Streams create inherits it. A priority is only ever lowered, never raised.
 */
public final class BackgroundPriority {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundPriority.class);

    /** Environment variable: how many nice steps below the runners {@code lem run}'s local stack runs (0: none). */
    public static final String ENV = "LEM_BACKGROUND_NICE";
    /** Nice steps by default: about a tenth of the weight of a thread at the inference's priority. */
    public static final int DEFAULT_STEPS = 10;
    /** Linux's nice values run from -20 (first) to 19 (last). */
    static final int LOWEST_NICE = 19;
    private static final int PRIO_PROCESS = 0;
    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private static volatile boolean reported;

    private BackgroundPriority() {
    }

    /**
     * The nice steps {@link #ENV} asks for, {@value #DEFAULT_STEPS} when it is unset or blank.
     *
     * @throws IllegalArgumentException naming the variable and what it allows, when it is not an integer 0-19
     */
    public static int configuredSteps(Map<String, String> environment) {
        String value = environment.get(ENV);
        if (value == null || value.isBlank()) {
            return DEFAULT_STEPS;
        }
        try {
            int steps = Integer.parseInt(value.trim());
            if (steps >= 0 && steps <= LOWEST_NICE) {
                return steps;
            }
        } catch (NumberFormatException e) {
            // reported below, with what is allowed
        }
        throw new IllegalArgumentException(ENV + ": must be an integer from 0 (off) to " + LOWEST_NICE
                + " (nice steps below the runners), got '" + value + "'");
    }

    /**
     * Raises the calling thread's nice value by {@code steps}, to at most 19; threads it starts from now on inherit
     * the new value. Never fails: where the priority cannot be changed the thread keeps it (logged once).
     *
     * @return whether the thread now runs {@code steps} lower (or at the lowest priority); true for 0 steps
     */
    public static boolean lowerCurrentThread(int steps) {
        requireSteps(steps);
        if (steps == 0) {
            return true;
        }
        OptionalInt tid = currentThreadId();
        OptionalInt nice = tid.isPresent() ? niceOf(tid.getAsInt()) : OptionalInt.empty();
        if (tid.isEmpty() || nice.isEmpty()) {
            reportOnce("this system has no /proc/thread-self (not Linux): the threads keep their priority");
            return false;
        }
        int target = Math.min(LOWEST_NICE, nice.getAsInt() + steps);
        try {
            if (LibC.Holder.LIBC.setpriority(PRIO_PROCESS, tid.getAsInt(), target) == 0) {
                return true;
            }
            reportOnce("setpriority(" + target + ") refused: the threads keep their priority");
        } catch (LastErrorException e) {
            reportOnce("setpriority(" + target + ") failed with errno " + e.getErrorCode()
                    + ": the threads keep their priority");
        } catch (LinkageError | RuntimeException e) {
            reportOnce("cannot call setpriority through JNA (" + e + "): the threads keep their priority");
        }
        return false;
    }

    /**
     * Runs {@code work} on a new thread named {@code name} that first lowers itself by {@code steps}, waits for it and
     * returns its result: every thread {@code work} starts (an embedded broker's, a Kafka Streams app's) runs at that
     * lower priority.
     *
     * @throws Exception what {@code work} threw
     */
    public static <T> T callLowered(String name, int steps, Callable<T> work) throws Exception {
        Objects.requireNonNull(work, "work");
        requireSteps(steps); // here, on the caller's thread, rather than inside the task
        FutureTask<T> task = new FutureTask<>(() -> {
            lowerCurrentThread(steps);
            return work.call();
        });
        Thread thread = new Thread(task, Objects.requireNonNull(name, "name"));
        thread.start();
        try {
            return task.get();
        } catch (InterruptedException e) {
            thread.interrupt();
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** The calling thread's Linux thread id, from {@code /proc/thread-self} ({@code <pid>/task/<tid>}). */
    public static OptionalInt currentThreadId() {
        try {
            Path link = Files.readSymbolicLink(THREAD_SELF);
            return OptionalInt.of(Integer.parseInt(link.getFileName().toString()));
        } catch (IOException | UnsupportedOperationException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /** The nice value of thread {@code tid} of this process, from its {@code stat} (field 19). */
    public static OptionalInt niceOf(int tid) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task", Integer.toString(tid), "stat"));
            // the command name (field 2) may hold spaces and parentheses: count fields after its last ')'
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return OptionalInt.of(Integer.parseInt(fields[19 - 3]));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    /** The calling thread's nice value; empty where threads cannot be read this way (not Linux). */
    public static OptionalInt currentNice() {
        OptionalInt tid = currentThreadId();
        return tid.isPresent() ? niceOf(tid.getAsInt()) : OptionalInt.empty();
    }

    /**
     * The nice values of this process's threads whose kernel name (the Java name's first 15 characters) starts with
     * the first 15 characters of {@code prefix}; a thread that ends meanwhile is left out. For thread reports and
     * tests.
     */
    public static List<Integer> nicesOfThreadsNamed(String prefix) {
        String wanted = prefix.length() > 15 ? prefix.substring(0, 15) : prefix;
        List<Integer> nices = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    if (Files.readString(task.resolve("comm")).strip().startsWith(wanted)) {
                        niceOf(Integer.parseInt(task.getFileName().toString())).ifPresent(nices::add);
                    }
                } catch (IOException | NumberFormatException e) {
                    // the thread ended while we listed
                }
            }
        } catch (IOException e) {
            return List.of();
        }
        return nices;
    }

    private static void requireSteps(int steps) {
        if (steps < 0 || steps > LOWEST_NICE) {
            throw new IllegalArgumentException("steps must be 0-" + LOWEST_NICE + ", got " + steps);
        }
    }

    private static void reportOnce(String message) {
        if (!reported) {
            reported = true;
            LOG.info("background priority: {}", message);
        }
    }

    /** The C library, loaded on first use only (JNA's native part is unpacked then). */
    private interface LibC extends Library {
        int setpriority(int which, int who, int prio) throws LastErrorException;

        final class Holder {
            static final LibC LIBC = com.sun.jna.Native.load("c", LibC.class);
        }
    }
}
