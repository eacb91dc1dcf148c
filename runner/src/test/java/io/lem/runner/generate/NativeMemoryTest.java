package io.lem.runner.generate;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Native memory does not grow across batches: every batch's KV cache and intermediates are released when the batch
 * ends. {@link NativeMemoryProbe} runs in a child JVM whose heap is fixed and pre-touched ({@code -Xms = -Xmx},
 * {@code -XX:+AlwaysPreTouch}), so its VmRSS changes are native memory, not heap pages being touched for the first
 * time (in-process, that alone grew RSS by ~150 MB over 200 batches). After 100 warm-up batches (JIT, allocator
 * pools), 200 batches are measured. glibc's allocator makes RSS jitter (measured here: transients up to ~60 MB over
 * 1000 batches, then flat), so the highest of the first 20 samples is compared with the lowest of the last 20: a leak
 * raises every later sample. A leaked KV cache alone would be ~2.3 MB per batch here, ~370 MB between the two
 * windows; the tolerance is 64 MB.
 */
class NativeMemoryTest {

    @Test
    void rssStaysFlatOver200Batches() throws Exception {
        check("llama", 100, 200);
    }

    /** The same for an encoder-decoder: the encoder's cross-attention keys and values are released per batch too. */
    @Test
    void encoderDecoderRssStaysFlatOver200Batches() throws Exception {
        check("t5", 100, 200);
    }

    private static void check(String arch, int warmup, int measured) throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self/status")), "needs Linux /proc");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xms256m", "-Xmx256m", "-XX:+AlwaysPreTouch", "-XX:+UseSerialGC",
                "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=1",
                "-cp", System.getProperty("java.class.path"), NativeMemoryProbe.class.getName(),
                Integer.toString(warmup), Integer.toString(measured), arch);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<Long> rss = new ArrayList<>();
        StringBuilder log = new StringBuilder();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("rss ")) {
                    rss.add(Long.parseLong(line.substring(4).trim()));
                } else {
                    log.append(line).append('\n');
                }
            }
        }
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(log.toString()).isZero();
        assertThat(rss).hasSize(measured);
        long before = rss.subList(0, 20).stream().mapToLong(Long::longValue).max().orElseThrow();
        long after = rss.subList(measured - 20, measured).stream().mapToLong(Long::longValue).min().orElseThrow();
        System.out.printf("%s: VmRSS over %d batches after %d warm-up batches: %d kB -> %d kB, growth %d kB%n",
                arch, measured, warmup, before, after, after - before);
        assertThat(after - before).isLessThan(64 * 1024);
    }
}
