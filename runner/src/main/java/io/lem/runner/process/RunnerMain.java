package io.lem.runner.process;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.runner.config.ConfigException;
import io.lem.runner.config.ConfigLoader;
import io.lem.runner.config.ConfigProblem;
import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.config.KafkaSettings;
import io.lem.runner.events.EventSink;
import io.lem.runner.events.FileEventSink;
import io.lem.runner.events.KafkaEventSink;
import io.lem.runner.events.KafkaSinkSettings;
import io.lem.runner.events.KafkaTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The runner as a child JVM: {@code java -cp <lem> io.lem.runner.process.RunnerMain --config C --experiment-id ID
 * ...} (see {@link RunnerArgs} for every option). Builds the event sink (a {@link KafkaEventSink} with its spool in
 * {@code <lem home>/spool}, or a {@link FileEventSink} with {@code --events-file}), runs one {@link RunnerProcess}
 * and exits.
 *
 * <h2>Standard output</h2>
 * One line per finished batch, and one when the model is loaded, each a fixed prefix and one JSON object:
 * <pre>
 * LEM-PROGRESS {"process":0,"phase":"started","batch":0,"batches":4,"inputTokens":0,"outputTokens":0,"elapsedNanos":812345678}
 * LEM-PROGRESS {"process":0,"phase":"warmup","batch":1,"batches":1,"inputTokens":24,"outputTokens":8,"elapsedNanos":...}
 * LEM-PROGRESS {"process":0,"phase":"run","batch":3,"batches":4,"inputTokens":70,"outputTokens":128,"elapsedNanos":...}
 * LEM-RESULT {"process":0,"status":"completed","batches":4,"warmupBatches":1,"inputTokens":90,"outputTokens":160,
 *             "durationNanos":...,"totalNanos":...,"lastSeq":57,"error":null,"outputsFile":null}
 * </pre>
 * ({@link Progress} explains the fields; {@code LEM-RESULT} is printed once, last, as one line, mirroring
 * {@link RunnerOutcome}). Other lines (logs) may interleave: parse only lines that start with a prefix. Log output
 * goes wherever the logging configuration on the class path sends it.
 *
 * <h2>Exit codes</h2>
 * {@value #EXIT_OK} completed; {@value #EXIT_FAILED} failed at run time (ProcessFailed was emitted, unless the sink
 * itself failed); {@value #EXIT_INVALID_INPUT} invalid input: bad arguments, an invalid config, no Kafka cluster named,
 * an unreadable client properties file (nothing was started, no event was emitted); {@value #EXIT_CANCELLED} cancelled
 * by SIGTERM or SIGINT (ProcessFailed "cancelled" was emitted and the sink flushed). Every failure also prints one line
 * on stderr starting with {@code lem runner: }.
 *
 * <h2>Cancellation</h2>
 * A shutdown hook cancels the run, which stops within one decode step; a run that cannot stop within
 * {@link #CANCEL_GRACE} (downloading a model) has its stream ended by the hook. The hook then waits for the sink to
 * close (a Kafka sink waits up to its close timeout, 30 s, then leaves the rest in its spool) and halts the JVM with
 * {@value #EXIT_CANCELLED}. A launcher should allow about 45 s after SIGTERM before it kills the child.
 */
public final class RunnerMain {

    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_INVALID_INPUT = 2;
    public static final int EXIT_CANCELLED = 130;

    /** Prefix of a progress line on stdout (followed by one JSON object). */
    public static final String PROGRESS_PREFIX = "LEM-PROGRESS ";
    /** Prefix of the final result line on stdout (followed by one JSON object). */
    public static final String RESULT_PREFIX = "LEM-RESULT ";
    /** Prefix of every error line on stderr. */
    public static final String ERROR_PREFIX = "lem runner: ";

    /** How long a cancelled run may take to stop by itself before the shutdown hook ends its event stream. */
    public static final Duration CANCEL_GRACE = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private RunnerMain() {
    }

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.out, System.err, true);
        System.out.flush();
        System.err.flush();
        System.exit(code);
    }

    /**
     * Does what {@link #main} does without exiting: for the {@code lem runner} command and tests.
     *
     * @param environment   the process environment ({@code RANK}, {@code HF_TOKEN}, {@code LEM_HOME}, ...)
     * @param handleSignals install the shutdown hook that turns SIGTERM/SIGINT into a cancelled run (only in a JVM
     *                      that runs nothing else)
     * @return the exit code
     */
    public static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err,
                          boolean handleSignals) {
        RunnerArgs parsed;
        try {
            parsed = RunnerArgs.parse(args);
        } catch (RunnerArgs.UsageException e) {
            err.println(ERROR_PREFIX + e.getMessage() + " (see --help)");
            return EXIT_INVALID_INPUT;
        }
        if (parsed.help()) {
            out.println(RunnerArgs.USAGE);
            return EXIT_OK;
        }
        RunnerProcess process;
        try {
            process = prepare(parsed, environment, out);
        } catch (RunnerArgs.UsageException | ConfigException e) {
            err.println(ERROR_PREFIX + oneLine(e));
            return EXIT_INVALID_INPUT;
        } catch (IOException | RuntimeException e) {
            err.println(ERROR_PREFIX + oneLine(e));
            return EXIT_FAILED;
        }
        return execute(process, out, err, handleSignals);
    }

    /**
     * Loads the config, resolves the process's place (flags, then torchrun/accelerate variables), opens the sink and
     * builds the process.
     *
     * @throws RunnerArgs.UsageException invalid input
     * @throws ConfigException           an invalid config
     * @throws IOException               the events file or the spool cannot be opened
     */
    public static RunnerProcess prepare(RunnerArgs args, Map<String, String> environment, PrintStream out)
            throws IOException {
        ExperimentConfig config = ConfigLoader.load(args.config());
        int numProcesses = args.numProcesses(environment, config.numProcesses());
        int processIndex = args.processIndex(environment);
        if (processIndex >= numProcesses) {
            throw new RunnerArgs.UsageException("process index " + processIndex + " is not below the number of "
                    + "processes " + numProcesses);
        }
        int localRank = args.localRank(environment);
        int localWorldSize = args.localWorldSize(environment);
        if (localWorldSize > 1 && localRank >= localWorldSize) {
            throw new RunnerArgs.UsageException("local rank " + localRank + " is not below the local world size "
                    + localWorldSize + " (--local-rank, --local-world-size or $LOCAL_RANK, $LOCAL_WORLD_SIZE)");
        }
        Path lemHome = args.lemHome() != null ? args.lemHome() : RunnerSettings.defaultLemHome(environment);
        String device = args.device() != null ? args.device() : defaultDevice(config, localRank, processIndex,
                environment);
        EventSink sink = openSink(args, config, processIndex, lemHome);
        try {
            RunnerSettings settings = RunnerSettings.builder(config, args.experimentId(), sink)
                    .processIndex(processIndex).numProcesses(numProcesses).localRank(localRank)
                    .localWorldSize(localWorldSize).device(device)
                    .lemHome(lemHome).pluginsDirs(args.pluginsDirs()).pluginSettings(args.pluginSettings())
                    .resultsDir(args.resultsDir()).environment(environment).build();
            return new RunnerProcess(settings, progress -> printLine(out, PROGRESS_PREFIX, progressJson(progress)));
        } catch (RuntimeException e) {
            sink.close();
            throw e;
        }
    }

    /** Runs a prepared process, prints its result line (and an error line), returns the exit code. */
    static int execute(RunnerProcess process, PrintStream out, PrintStream err, boolean handleSignals) {
        AtomicReference<RunnerOutcome> result = new AtomicReference<>();
        CountDownLatch reported = new CountDownLatch(1);
        Thread hook = null;
        if (handleSignals) {
            hook = new Thread(() -> onShutdown(process, result, reported, out, err), "lem-runner-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        RunnerOutcome outcome = process.run();
        result.set(outcome);
        int processIndex = process.settings().processIndex();
        printLine(out, RESULT_PREFIX, resultJson(processIndex, outcome));
        if (outcome.status() == RunnerOutcome.Status.FAILED) {
            err.println(ERROR_PREFIX + "process " + processIndex + " failed: " + outcome.error());
        } else if (outcome.status() == RunnerOutcome.Status.CANCELLED) {
            err.println(ERROR_PREFIX + "process " + processIndex + " cancelled");
        }
        out.flush();
        err.flush();
        reported.countDown();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it halts the JVM with the outcome's code
            }
        }
        return outcome.exitCode();
    }

    /** SIGTERM/SIGINT: cancel, let the run end its stream and close its sink, then halt with the outcome's code. */
    private static void onShutdown(RunnerProcess process, AtomicReference<RunnerOutcome> result,
                                   CountDownLatch reported, PrintStream out, PrintStream err) {
        if (process.isFinished() && result.get() != null) {
            return; // a normal exit
        }
        boolean stopped = process.cancelAndAwait(CANCEL_GRACE);
        try {
            if (stopped) {
                reported.await(5, TimeUnit.SECONDS); // let the main thread print its result line
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RunnerOutcome outcome = result.get();
        if (outcome == null) {
            err.println(ERROR_PREFIX + "process " + process.settings().processIndex() + " cancelled");
        }
        out.flush();
        err.flush();
        Runtime.getRuntime().halt(outcome != null ? outcome.exitCode() : EXIT_CANCELLED);
    }

    /**
     * The device when {@code --device} is absent: {@code cpu} without {@code gpu_list}. With it, {@code gpu:0} when
     * {@code CUDA_VISIBLE_DEVICES} names one GPU (the launcher pins one per process), {@code gpu:<localRank>} when it
     * names several, else the physical index {@code gpu_list[localRank]} ({@code gpu_list[processIndex mod size]}
     * when the local rank is beyond the list).
     */
    public static String defaultDevice(ExperimentConfig config, int localRank, int processIndex,
                                       Map<String, String> environment) {
        List<Integer> gpus = config.gpuList();
        if (gpus.isEmpty()) {
            return "cpu";
        }
        String visible = environment.get("CUDA_VISIBLE_DEVICES");
        if (visible != null && !visible.isBlank()) {
            long count = java.util.Arrays.stream(visible.split(",")).filter(s -> !s.isBlank()).count();
            return count <= 1 ? "gpu:0" : "gpu:" + (localRank < count ? localRank : 0);
        }
        return "gpu:" + gpus.get(localRank < gpus.size() ? localRank : processIndex % gpus.size());
    }

    /** The events file, or Kafka: the flags first, then the config's {@code kafka} section. */
    static EventSink openSink(RunnerArgs args, ExperimentConfig config, int processIndex, Path lemHome)
            throws IOException {
        if (args.eventsFile() != null) {
            return FileEventSink.open(args.eventsFile());
        }
        KafkaSettings kafka = config.kafka();
        String bootstrap = args.bootstrapServers() != null ? args.bootstrapServers() : kafka.bootstrapServers();
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new RunnerArgs.UsageException("no Kafka cluster: pass --bootstrap-servers, set "
                    + "kafka.bootstrap_servers in the config, or write the events to a file with --events-file");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        Path propertiesFile = args.clientProperties() != null ? args.clientProperties()
                : kafka.clientPropertiesFile();
        if (propertiesFile != null) {
            properties.putAll(readProperties(propertiesFile));
        }
        properties.putAll(kafka.clientProperties());
        if (kafka.replicationFactor() > Short.MAX_VALUE) {
            throw new RunnerArgs.UsageException("kafka.replication_factor is too large: " + kafka.replicationFactor());
        }
        KafkaTarget target = new KafkaTarget(bootstrap, kafka.topic(), kafka.partitions(),
                (short) kafka.replicationFactor(), properties);
        return KafkaEventSink.open(KafkaSinkSettings.defaults(target, lemHome.resolve("spool")), args.experimentId(),
                processIndex);
    }

    static Map<String, String> readProperties(Path file) {
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            throw new RunnerArgs.UsageException("client properties file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new RunnerArgs.UsageException("cannot read client properties file " + file + ": " + e.getMessage());
        }
        Map<String, String> map = new LinkedHashMap<>();
        properties.stringPropertyNames().stream().sorted().forEach(k -> map.put(k, properties.getProperty(k)));
        return map;
    }

    static Map<String, Object> progressJson(Progress p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("process", p.processIndex());
        m.put("phase", p.phase());
        m.put("batch", p.batch());
        m.put("batches", p.batches());
        m.put("inputTokens", p.inputTokens());
        m.put("outputTokens", p.outputTokens());
        m.put("elapsedNanos", p.elapsedNanos());
        m.put("powerWatts", p.powerWatts());
        return m;
    }

    static Map<String, Object> resultJson(int processIndex, RunnerOutcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("process", processIndex);
        m.put("status", o.status().label());
        m.put("batches", o.batches());
        m.put("warmupBatches", o.warmupBatches());
        m.put("inputTokens", o.inputTokens());
        m.put("outputTokens", o.outputTokens());
        m.put("durationNanos", o.durationNanos());
        m.put("totalNanos", o.totalNanos());
        m.put("lastSeq", o.lastSeq());
        m.put("error", o.error());
        m.put("outputsFile", o.outputsFile() == null ? null : o.outputsFile().toString());
        return m;
    }

    private static void printLine(PrintStream out, String prefix, Map<String, Object> json) {
        String line;
        try {
            line = prefix + JSON.writeValueAsString(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** One line: a config's problems joined with "; ", any other message with its line breaks folded. */
    static String oneLine(Exception e) {
        if (e instanceof ConfigException) {
            return ((ConfigException) e).problems().stream().map(ConfigProblem::oneLine)
                    .collect(Collectors.joining("; "));
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return message.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
