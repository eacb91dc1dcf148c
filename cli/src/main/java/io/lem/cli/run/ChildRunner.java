package io.lem.cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.runner.process.RunnerMain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One runner JVM started by {@code lem run}. Its stdout is read line by line: progress lines go to the launcher's
 * display, other lines to a log file next to the results; its last stderr line is kept as the failure reason.
 */
final class ChildRunner {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int index;
    private final Process process;
    private final Thread reader;
    private final Thread errors;
    private volatile String lastError;
    private volatile JsonNode result;

    private ChildRunner(int index, Process process, Consumer<JsonNode> progress, Path log) throws IOException {
        this.index = index;
        this.process = process;
        java.nio.file.Files.createDirectories(log.getParent());
        var logWriter = java.nio.file.Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        this.reader = new Thread(() -> pump(progress, logWriter), "lem-run-child-" + index + "-out");
        this.errors = new Thread(this::pumpErrors, "lem-run-child-" + index + "-err");
        reader.setDaemon(true);
        errors.setDaemon(true);
        reader.start();
        errors.start();
    }

    static ChildRunner start(int index, List<String> command, Map<String, String> env, Consumer<JsonNode> progress,
                             Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return new ChildRunner(index, builder.start(), progress, log);
    }

    int index() {
        return index;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * SIGTERM: the runner records the process as cancelled, flushes its events and prints its result line. Sent
     * through the {@link ProcessHandle}: {@link Process#destroy()} also closes this side's pipes, and the result line
     * (the last seq the launcher waits to see folded) and the rest of the log were lost with them.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL: nothing more is flushed; the runner's spool keeps what it had not delivered. */
    void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the exit code, killing the process after {@code graceSeconds} once terminated. */
    int await(long graceSeconds) throws InterruptedException {
        if (!process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
            kill();
            process.waitFor();
        }
        reader.join(5000);
        errors.join(5000);
        return process.exitValue();
    }

    int awaitExit() throws InterruptedException {
        int code = process.waitFor();
        reader.join(5000);
        errors.join(5000);
        return code;
    }

    String lastError() {
        return lastError;
    }

    JsonNode result() {
        return result;
    }

    private void pump(Consumer<JsonNode> progress, java.io.BufferedWriter log) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8)); log) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith(RunnerMain.PROGRESS_PREFIX)) {
                    progress.accept(JSON.readTree(line.substring(RunnerMain.PROGRESS_PREFIX.length())));
                } else if (line.startsWith(RunnerMain.RESULT_PREFIX)) {
                    result = JSON.readTree(line.substring(RunnerMain.RESULT_PREFIX.length()));
                }
                log.write(line);
                log.newLine();
            }
        } catch (IOException e) {
            // The child is gone; its exit code tells the rest.
        }
    }

    private void pumpErrors() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.startsWith(RunnerMain.ERROR_PREFIX)) {
                    lastError = line.substring(RunnerMain.ERROR_PREFIX.length());
                } else if (!line.isBlank() && lastError == null && line.contains("ERROR")) {
                    lastError = line.strip();
                }
            }
        } catch (IOException e) {
            // as above
        }
    }
}
