package io.lem.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where the time goes, from a JFR recording's {@code jdk.ExecutionSample} events (what {@code jfr print --events
 * jdk.ExecutionSample} lists, summarized): samples per thread group, then for the threads matching a pattern (by
 * default the Kafka Streams threads) the top frames by self samples and the methods by inclusive samples (a method
 * counted once per sample wherever it is on the stack). A sample is a Java thread found running Java code; time in
 * native code (RocksDB through JNI, socket I/O) shows as the Java frame that called it.
 *
 * <pre>usage: JfrHotSpots recording.jfr [--threads REGEX (default StreamThread)] [--top N (default 25)]</pre>
 */
public final class JfrHotSpots {

    private JfrHotSpots() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: JfrHotSpots recording.jfr [--threads REGEX] [--top N]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        Pattern threads = Pattern.compile("StreamThread");
        int top = 25;
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (args[i].equals("--threads")) {
                threads = Pattern.compile(args[i + 1]);
            } else if (args[i].equals("--top")) {
                top = Integer.parseInt(args[i + 1]);
            } else {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        summarize(file, threads, top);
    }

    static void summarize(Path file, Pattern threadPattern, int top) throws IOException {
        Map<String, Long> byGroup = new HashMap<>();
        Map<String, Long> byApp = new HashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        Map<String, Long> firstLem = new HashMap<>();
        long all = 0;
        long selected = 0;
        try (RecordingFile recording = new RecordingFile(file)) {
            while (recording.hasMoreEvents()) {
                RecordedEvent event = recording.readEvent();
                if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                    continue;
                }
                all++;
                RecordedThread thread = event.getThread("sampledThread");
                String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
                byGroup.merge(ThreadCpu.group(name), 1L, Long::sum);
                if (!threadPattern.matcher(name).find()) {
                    continue;
                }
                selected++;
                byApp.merge(ThreadCpu.group(name), 1L, Long::sum);
                RecordedStackTrace stack = event.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                List<RecordedFrame> frames = stack.getFrames();
                RecordedFrame top0 = frames.get(0);
                self.merge(frame(top0, true), 1L, Long::sum);
                Set<String> seen = new HashSet<>();
                String lem = null;
                for (RecordedFrame f : frames) {
                    if (!f.isJavaFrame()) {
                        continue;
                    }
                    String m = frame(f, false);
                    if (seen.add(m)) {
                        inclusive.merge(m, 1L, Long::sum);
                    }
                    if (lem == null && m.startsWith("io.lem.")) {
                        lem = m;
                    }
                }
                firstLem.merge(lem == null ? "(no io.lem frame: Kafka Streams / clients / JDK only)" : lem, 1L,
                        Long::sum);
            }
        }
        System.out.printf(Locale.ROOT, "JFR %s: %,d execution samples in all%n", file, all);
        print("samples by thread group (all threads)", byGroup, all, 12);
        System.out.printf(Locale.ROOT, "%nthreads matching /%s/: %,d samples%n", threadPattern, selected);
        print("by thread", byApp, selected, 10);
        print("top frames, self (method:line)", self, selected, top);
        print("methods, inclusive (on the stack)", inclusive, selected, top + 15);
        print("innermost io.lem method on the stack (what lem code the time is spent under)", firstLem, selected,
                top);
    }

    private static String frame(RecordedFrame f, boolean line) {
        RecordedMethod m = f.getMethod();
        String s = m == null ? "?" : m.getType().getName() + "." + m.getName();
        return line && f.getLineNumber() > 0 ? s + ":" + f.getLineNumber() : s;
    }

    private static void print(String title, Map<String, Long> counts, long total, int top) {
        System.out.printf(Locale.ROOT, "%n%s:%n", title);
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        for (int i = 0; i < Math.min(top, sorted.size()); i++) {
            Map.Entry<String, Long> e = sorted.get(i);
            System.out.printf(Locale.ROOT, "  %6.2f%% %7d  %s%n", total == 0 ? 0 : 100.0 * e.getValue() / total,
                    e.getValue(), e.getKey());
        }
    }
}
