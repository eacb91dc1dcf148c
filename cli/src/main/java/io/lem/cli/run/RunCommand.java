package io.lem.cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.lem.aggregator.app.AggregatorApp;
import io.lem.aggregator.app.AggregatorSettings;
import io.lem.aggregator.http.PathCodec;
import io.lem.aggregator.http.ResultsClient;
import io.lem.api.event.ExperimentCompleted;
import io.lem.api.event.ExperimentStarted;
import io.lem.api.event.LemEvent;
import io.lem.cli.ExitCodes;
import io.lem.cli.HostName;
import io.lem.cli.LemHome;
import io.lem.cli.UserError;
import io.lem.cli.VersionProvider;
import io.lem.cli.kafka.KafkaConnection;
import io.lem.cli.kafka.KafkaOptions;
import io.lem.cli.results.AggregateCommand;
import io.lem.cli.results.AggregatorOptions;
import io.lem.cli.results.ResultsExporter;
import io.lem.cli.results.ResultsText;
import io.lem.runner.config.ConfigException;
import io.lem.runner.config.ConfigLoader;
import io.lem.runner.config.ConfigRendering;
import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.events.EventEmitter;
import io.lem.runner.events.KafkaEventSink;
import io.lem.runner.events.KafkaSinkSettings;
import io.lem.runner.events.KafkaTarget;
import io.lem.runner.measure.BackgroundPriority;
import io.lem.runner.process.LocalPeers;
import io.lem.runner.process.RunnerMain;
import io.lem.runner.prompts.PromptException;
import io.lem.runner.prompts.PromptSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code lem run}: the experiment, end to end. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run an experiment: record ExperimentStarted, start num_processes runner JVMs on this host",
                "(each on gpu_list[i] through CUDA_VISIBLE_DEVICES, with its shard of the prompts), show live progress,",
                "record ExperimentCompleted, print the summary from the aggregator and export results/.",
                "With no Kafka configured it uses a running 'lem serve' stack, else starts the embedded broker and an",
                "aggregator for the run. Ctrl-C stops the runners; the experiment is recorded as cancelled with what",
                "it measured, summarized and exported (a second Ctrl-C kills the runners at once).",
                "Exit 0 when every process completed, 1 when any failed, 2 invalid input, 130 cancelled."})
public final class RunCommand implements Callable<Integer> {

    /** Time a cancelled runner gets to record its state and flush its events (RunnerMain's advice). */
    private static final long CANCEL_GRACE_SECONDS = 45;
    /** How long the summary waits for the aggregator to fold the run's last events. */
    private static final Duration SUMMARY_WAIT = Duration.ofSeconds(120);
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String INTRA_OP_THREADS = "ai.djl.pytorch.num_threads";
    /** Whether the JDK the runners start from has the module (the same java.home as this JVM). */
    private static final boolean VECTOR_MODULE_PRESENT =
            java.lang.module.ModuleFinder.ofSystem().find(VECTOR_MODULE).isPresent();

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "Experiment config (YAML or JSON).")
    Path configFile;

    @Option(names = "--prompts", paramLabel = "FILE", description = "Prompts file (text, one per line, or JSONL);"
            + " overrides the config's prompts.")
    Path promptsFile;

    @Option(names = "--experiment-id", paramLabel = "ID", description = "Default: exp_YYYYMMDD_HHMMSS_xxxx.")
    String experimentId;

    @Option(names = "--num-processes", paramLabel = "N", description = "Overrides num_processes.")
    Integer numProcesses;

    @Option(names = "--plugins-dir", paramLabel = "DIR", description = "Extra plugins directory (repeatable).")
    List<Path> pluginsDirs = new ArrayList<>();

    @Option(names = "--plugin-setting", paramLabel = "KEY=VALUE", description = "A plugin setting (repeatable).")
    Map<String, String> pluginSettings = new LinkedHashMap<>();

    @Option(names = "--aggregator-url", paramLabel = "URL", defaultValue = "http://127.0.0.1:7070",
            description = "A running aggregator to use (default: ${DEFAULT-VALUE}); none answering, one is started.")
    URI aggregatorUrl;

    @Option(names = "--results-dir", paramLabel = "DIR", defaultValue = "results",
            description = "Where results/ and outputs go (default: ${DEFAULT-VALUE}).")
    Path resultsDir;

    @Mixin
    KafkaOptions kafka;

    private final List<ChildRunner> children = new ArrayList<>();
    private volatile boolean cancelled;
    private final CountDownLatch launcherDone = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String id = experimentId != null ? experimentId : ExperimentIds.next();
        if (!ExperimentIds.valid(id)) {
            throw new UserError("--experiment-id: use letters, digits, '.', '_' and '-' only, was '" + id + "'");
        }
        int stackNiceSteps;
        try {
            stackNiceSteps = BackgroundPriority.configuredSteps(System.getenv());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        if (experimentId != null) {
            Path exported = resultsDir.resolve("aggregated").resolve(id + ".json");
            if (Files.exists(exported)) {
                throw usedId(id, exported + " exists");
            }
        }
        Path configPath = effectiveConfig(id);
        ExperimentConfig config = load(configPath);
        try {
            // the runners read them again; a bad file is the user's to fix, before any broker or experiment exists
            PromptSet.load(config.prompts(), config.taskType()).first(config.numInputPrompts());
        } catch (PromptException e) {
            throw new UserError(e.getMessage());
        }
        int processes = config.numProcesses();
        kafka.defaultBootstrapServers(config.kafka().bootstrapServers());

        try (LocalStack stack = LocalStack.open(kafka::connect, aggregatorUrl, out, stackNiceSteps)) {
            KafkaConnection connection = stack.connection();
            LocalAggregator aggregator = stack.aggregator();
            if (experimentId != null && aggregator.knows(id)) {
                throw usedId(id, "the aggregator at " + aggregator.url() + " has results for it");
            }
            KafkaTarget target = kafka.target(connection);
            KafkaSinkSettings sinkSettings = KafkaSinkSettings.defaults(target, LemHome.spoolDir());
            KafkaEventSink sink = KafkaEventSink.open(sinkSettings, id,
                    LemEvent.LAUNCHER_PROCESS_INDEX);
            EventEmitter launcher = new EventEmitter(id, LemEvent.LAUNCHER_PROCESS_INDEX, HostName.local(), sink);
            long start = System.nanoTime();
            launcher.emit(env -> new ExperimentStarted(env, config.configName(), config.modelName(), config.revision(),
                    processes, ConfigRendering.toMap(config), VersionProvider.version()));
            out.printf("experiment %s: %s, model %s, %d process(es); Kafka %s, aggregator %s%n", id,
                    config.configName(), config.modelName(), processes, connection.bootstrapServers(),
                    aggregator.url());
            out.flush();

            // Ctrl-C / SIGTERM: the runners are asked to stop and this thread goes on to record the experiment as
            // cancelled, summarize and export; the hook is the fallback for any other JVM shutdown
            Thread hook = new Thread(this::cancelAndWaitForTheLauncher, "lem-run-cancel");
            Runtime.getRuntime().addShutdownHook(hook);
            ProgressBoard board = new ProgressBoard(out, processes, TimeUnit.SECONDS.toNanos(2));
            int failed = 0;
            boolean invalid = false;
            try (CancelSignals signals = CancelSignals.install(() -> cancel(out), this::killRunners)) {
                // the runners of this host meet at the edges of their run windows (LocalPeers); an id used again
                // must not find the last run's meeting files
                LocalPeers.forget(LemHome.dir(), id);
                try {
                    for (int i = 0; i < processes && !cancelled; i++) {
                        ChildRunner child = ChildRunner.start(i, command(configPath, id, i, processes, connection),
                                childEnv(config, i), board::update, resultsDir.resolve("logs").resolve(id)
                                        .resolve("process_" + i + ".log"));
                        synchronized (children) {
                            children.add(child);
                            if (cancelled) {
                                child.terminate(); // the signal came while it was starting
                            }
                        }
                    }
                    for (ChildRunner child : startedChildren()) {
                        int code = child.awaitExit();
                        if (code != RunnerMain.EXIT_OK) {
                            failed++;
                            invalid |= code == RunnerMain.EXIT_INVALID_INPUT;
                            if (!cancelled) {
                                spec.commandLine().getErr().println("lem: process " + child.index()
                                        + " exited with " + code
                                        + (child.lastError() != null ? ": " + child.lastError() : ""));
                            }
                        }
                    }
                } finally {
                    LocalPeers.forget(LemHome.dir(), id);
                    board.maybePrint(true);
                    deliverLeftovers(sinkSettings, id); // the runners spool where the launcher does
                    String status = cancelled ? "cancelled" : failed > 0 ? "failed" : "completed";
                    int failedProcesses = failed;
                    launcher.emit(env -> new ExperimentCompleted(env, status, processes, failedProcesses,
                            System.nanoTime() - start));
                    sink.flush();
                    sink.close();
                }
                summarize(out, aggregator, id, processes, sentLastSeqs(),
                        exportAgain(id, aggregator.app == null ? aggregator.url() : null,
                                connection.embedded() == null ? connection.bootstrapServers() : null, resultsDir));
            } finally {
                launcherDone.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is shutting down: the hook is running and now returns
                }
            }
            if (cancelled) {
                return ExitCodes.INTERRUPTED;
            }
            return invalid && failed == processes ? ExitCodes.INVALID_INPUT
                    : failed > 0 ? ExitCodes.FAILED : ExitCodes.OK;
        }
    }

    /**
     * An id names one run: a second run under it would number its events from seq 0 again, and the aggregator keeps
     * the first run's results (it flags the later run and ignores its events). Refused before anything is emitted.
     */
    private static UserError usedId(String id, String evidence) {
        return new UserError("--experiment-id " + id + " is already used (" + evidence + "); an experiment id names "
                + "one run: pick another, or leave --experiment-id out for a fresh one");
    }

    /**
     * A runner killed outright (SIGKILL, the OOM killer) leaves in its spool what its sink had not delivered yet:
     * delivered here, before the experiment ends, so that nothing it measured is lost. Runners still alive (this
     * thread got here by an exception) keep their own spools.
     */
    private void deliverLeftovers(KafkaSinkSettings settings, String id) {
        PrintWriter err = spec.commandLine().getErr();
        for (ChildRunner child : startedChildren()) {
            if (child.isAlive()) {
                continue;
            }
            try {
                KafkaEventSink.Leftovers left = KafkaEventSink.deliverLeftovers(settings, id, child.index());
                if (!left.found().isEmpty() && left.remaining().isEmpty()) {
                    err.println("lem: process " + child.index() + " left a spool in " + left.found().get(0)
                            .getParent() + "; what of it Kafka did not have yet is delivered now");
                } else if (!left.remaining().isEmpty()) {
                    err.println("lem: the events process " + child.index() + " left undelivered could not be "
                            + "delivered; they stay in " + left.remaining() + " (lem events import FILE... later)");
                }
            } catch (IOException | RuntimeException e) {
                err.println("lem: cannot deliver what process " + child.index() + " left in its spool: " + e);
            }
        }
        err.flush();
    }

    private List<ChildRunner> startedChildren() {
        synchronized (children) {
            return List.copyOf(children);
        }
    }

    /**
     * First Ctrl-C: ask every runner to stop; each records ProcessFailed "cancelled" with its partial results and
     * flushes its events, and the launcher goes on as the runners exit. A runner still alive after the grace period
     * is killed.
     */
    private void cancel(PrintWriter out) {
        cancelled = true;
        List<ChildRunner> running = startedChildren();
        out.printf("%ncancelling: asking %d runner(s) to record their partial results (Ctrl-C again to kill them)%n",
                running.size());
        out.flush();
        running.forEach(ChildRunner::terminate);
        Thread grace = new Thread(() -> {
            for (ChildRunner child : running) {
                try {
                    child.await(CANCEL_GRACE_SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "lem-run-cancel-grace");
        grace.setDaemon(true);
        grace.start();
    }

    /** Second Ctrl-C: the runners are killed; what they had not sent stays in their spools for the next run. */
    private void killRunners() {
        cancelled = true;
        startedChildren().forEach(ChildRunner::kill);
    }

    /** JVM shutdown by other means: stop the runners and give the launcher time to record the experiment. */
    private void cancelAndWaitForTheLauncher() {
        cancelled = true;
        List<ChildRunner> running = startedChildren();
        running.forEach(ChildRunner::terminate);
        try {
            for (ChildRunner child : running) {
                child.await(CANCEL_GRACE_SECONDS);
            }
            launcherDone.await(CANCEL_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last seq each runner that reported its result sent (a runner killed outright reported none). */
    private Map<Integer, Long> sentLastSeqs() {
        Map<Integer, Long> sent = new TreeMap<>();
        for (ChildRunner child : startedChildren()) {
            JsonNode result = child.result();
            if (result != null && result.path("lastSeq").canConvertToLong()) {
                sent.put(child.index(), result.path("lastSeq").asLong());
            }
        }
        return sent;
    }

    /**
     * Per process in {@code sent} whose events the experiment view has not folded up to the last seq its runner sent:
     * "process N at seq F of L". The launcher's own end can be folded before a runner's last events: they are on
     * other partitions, and the aggregator (below the runners' priority, see BackgroundPriority) may still be
     * catching up.
     */
    static List<String> behind(JsonNode experiment, Map<Integer, Long> sent) {
        Map<Integer, Long> folded = new TreeMap<>();
        for (JsonNode row : experiment.path("processes")) {
            folded.put(row.path("process_index").asInt(), row.path("last_seq").asLong(-1));
        }
        List<String> behind = new ArrayList<>();
        new TreeMap<>(sent).forEach((process, last) -> {
            long seq = folded.getOrDefault(process, -1L);
            if (seq < last) {
                behind.add(seq < 0 ? "process " + process + " not seen" : "process " + process + " at seq " + seq
                        + " of " + last);
            }
        });
        return behind;
    }

    /**
     * What the experiment view still lacks before the summary can be printed, or null when nothing: every process
     * seen, the experiment no longer running, the launcher's end folded, and each process folded up to the last seq
     * its runner sent ({@link #behind}).
     */
    static String notYetFolded(JsonNode experiment, int processes, Map<Integer, Long> sent) {
        List<String> missing = new ArrayList<>();
        int seen = experiment.path("processes_seen").asInt();
        if (seen < processes) {
            missing.add(seen + " of " + processes + " processes seen");
        }
        if (experiment.path("status").asText().equals("running")) {
            missing.add("still running");
        }
        if (!experiment.has("launcher_status")) {
            missing.add("the launcher's end not folded");
        }
        missing.addAll(behind(experiment, sent));
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    /** Waits for the aggregator to see the end of the experiment, prints the summary and exports results/. */
    private void summarize(PrintWriter out, LocalAggregator aggregator, String id, int processes,
                           Map<Integer, Long> sent, String exportAgain) throws IOException, InterruptedException {
        ResultsClient client = new ResultsClient(aggregator.url(), aggregator.token(), Duration.ofSeconds(10));
        JsonNode experiment = null;
        String missing = null;
        long deadline = System.nanoTime() + SUMMARY_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ResultsClient.Response r = client.get("/experiments/" + PathCodec.encodeSegment(id));
            if (r.ok()) {
                experiment = r.json();
                missing = notYetFolded(experiment, processes, sent);
                if (missing == null) {
                    break;
                }
            }
            Thread.sleep(200); // polls the aggregator until it has folded the experiment's last events
        }
        if (experiment == null) {
            spec.commandLine().getErr().println("lem: the aggregator at " + aggregator.url()
                    + " has no results for " + id + " yet; try 'lem results show " + id + "' later");
            return;
        }
        if (missing != null) {
            // the events are in Kafka: a later export (or replay) has them all
            spec.commandLine().getErr().println("lem: after " + SUMMARY_WAIT.toSeconds() + " s the aggregator at "
                    + aggregator.url() + " had not folded all of " + id + " (" + missing + "); the summary and the "
                    + "results/ files below may be incomplete: '" + exportAgain + "' exports them again");
        }
        out.println();
        ResultsText.experiment(out, experiment);
        int files = new ResultsExporter(client, resultsDir).export(id);
        out.printf("%nresults: %s (+ %d process file(s) in %s)%n", resultsDir.resolve("aggregated")
                .resolve(id + ".json"), files, resultsDir.resolve("raw").resolve(id));
        List<Path> outputs = outputsFiles();
        if (!outputs.isEmpty()) {
            out.printf("outputs: %s (the generated texts, %d file(s): save_outputs)%n", outputs.get(0).getParent(),
                    outputs.size());
        }
        out.flush();
    }

    /** The {@code save_outputs} files the runners reported in their result lines. */
    private List<Path> outputsFiles() {
        List<Path> files = new ArrayList<>();
        for (ChildRunner child : startedChildren()) {
            JsonNode result = child.result();
            if (result != null && result.path("outputsFile").isTextual()) {
                files.add(Path.of(result.path("outputsFile").asText()));
            }
        }
        return files;
    }

    /**
     * The command that exports the run's results again once every event is folded: from the same {@code lem serve}
     * ({@code serveUrl}), or, when the run had its own aggregator (null), re-aggregated from the same Kafka
     * ({@code bootstrapServers}; null for the embedded broker, which keeps its data in LEM_HOME).
     */
    static String exportAgain(String id, URI serveUrl, String bootstrapServers, Path resultsDir) {
        StringBuilder command = new StringBuilder("lem aggregate ").append(id).append(" --force");
        if (serveUrl != null && !serveUrl.toString().equals(AggregatorOptions.DEFAULT_URL)) {
            command.append(" --aggregator-url ").append(serveUrl);
        } else if (serveUrl == null && bootstrapServers != null) {
            command.append(" --bootstrap-servers ").append(bootstrapServers);
        }
        if (!resultsDir.normalize().equals(Path.of("results"))) {
            command.append(" --results-dir ").append(resultsDir);
        }
        return command.toString();
    }

    /** The config file the runners read: the user's, or one that extends it with the command-line overrides. */
    private Path effectiveConfig(String id) throws IOException {
        if (!Files.isRegularFile(configFile)) {
            throw new UserError("no such config file: " + configFile);
        }
        if (promptsFile == null && numProcesses == null) {
            return configFile.toAbsolutePath();
        }
        if (promptsFile != null && !Files.isRegularFile(promptsFile)) {
            throw new UserError("--prompts: no such file: " + promptsFile);
        }
        if (numProcesses != null && numProcesses < 1) {
            throw new UserError("--num-processes must be >= 1, was " + numProcesses);
        }
        StringBuilder yaml = new StringBuilder("# written by lem run for " + id + "\n_extends: \""
                + configFile.toAbsolutePath() + "\"\n");
        if (promptsFile != null) {
            yaml.append("prompts:\n  file: \"").append(promptsFile.toAbsolutePath()).append("\"\n  builtin: null\n");
        }
        if (numProcesses != null) {
            yaml.append("num_processes: ").append(numProcesses).append('\n');
        }
        Path derived = LemHome.dir().resolve("runs").resolve(id).resolve("config.yaml");
        Files.createDirectories(derived.getParent());
        Files.writeString(derived, yaml);
        return derived;
    }

    private ExperimentConfig load(Path path) {
        try {
            return ConfigLoader.load(path);
        } catch (ConfigException e) {
            PrintWriter err = spec.commandLine().getErr();
            e.problems().forEach(problem -> err.println(problem.oneLine()));
            err.flush();
            throw new UserError(e.problems().size() + " problem(s) in " + configFile);
        }
    }

    private List<String> command(Path config, String id, int index, int processes, KafkaConnection connection) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (VECTOR_MODULE_PRESENT) {
            // the batch-1 decode kernel (runner engine/JavaMatVec); a JDK without the module would refuse the flag
            command.addAll(List.of("--add-modules", VECTOR_MODULE));
        }
        String opts = System.getenv("LEM_RUNNER_JAVA_OPTS");
        if (processes > 1 && (opts == null || !opts.contains(INTRA_OP_THREADS))) {
            // the processes share this host's cores, as torchrun's OMP_NUM_THREADS=1 default assumes: each gets its
            // share, not all of them (N processes x all cores oversubscribe, and every op waits at its barrier)
            command.add("-D" + INTRA_OP_THREADS + "=" + intraOpThreads(processes));
        }
        if (opts != null && !opts.isBlank()) {
            command.addAll(List.of(opts.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RunnerMain.class.getName(),
                "--config", config.toString(), "--experiment-id", id, "--process-index", Integer.toString(index),
                "--num-processes", Integer.toString(processes), "--local-rank", Integer.toString(index),
                "--local-world-size", Integer.toString(processes),
                "--bootstrap-servers", connection.bootstrapServers(), "--lem-home", LemHome.dir().toString(),
                "--results-dir", resultsDir.toAbsolutePath().toString()));
        if (kafka.clientPropertiesFile() != null) {
            command.addAll(List.of("--client-properties", kafka.clientPropertiesFile().toAbsolutePath().toString()));
        }
        pluginsDirs.forEach(dir -> command.addAll(List.of("--plugins-dir", dir.toAbsolutePath().toString())));
        pluginSettings.forEach((k, v) -> command.addAll(List.of("--plugin-setting", k + "=" + v)));
        return command;
    }

    /** Each of {@code processes} runners on this host gets an equal share of its cores for PyTorch, at least one. */
    static int intraOpThreads(int processes) {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / processes);
    }

    private static Map<String, String> childEnv(ExperimentConfig config, int index) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("LEM_HOME", LemHome.dir().toString());
        if (!config.gpuList().isEmpty()) {
            env.put("CUDA_VISIBLE_DEVICES", Integer.toString(config.gpuList().get(index)));
        }
        return env;
    }

    /**
     * The Kafka connection and the aggregator of a run. An embedded broker or aggregator started for the run runs
     * {@code niceSteps} below the runners' priority: they fold the runners' events on the same cores while they
     * generate (BackgroundPriority).
     */
    record LocalStack(KafkaConnection connection, LocalAggregator aggregator) implements AutoCloseable {
        /** The thread that starts them; every thread they create inherits its lower priority. */
        static final String START_THREAD = "lem-local-stack-start";

        static LocalStack open(Callable<KafkaConnection> connect, URI aggregatorUrl, PrintWriter out, int niceSteps)
                throws Exception {
            KafkaConnection connection = BackgroundPriority.callLowered(START_THREAD, niceSteps, connect);
            try {
                return new LocalStack(connection, BackgroundPriority.callLowered(START_THREAD, niceSteps,
                        () -> LocalAggregator.find(aggregatorUrl, connection, out)));
            } catch (Exception | Error e) {
                connection.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                aggregator.close();
            } finally {
                connection.close();
            }
        }
    }

    /** The aggregator the run reports to: one already answering, else one started in this JVM for the run. */
    static final class LocalAggregator implements AutoCloseable {
        private final URI url;
        private final String token;
        private final AggregatorApp app;

        private LocalAggregator(URI url, String token, AggregatorApp app) {
            this.url = url;
            this.token = token;
            this.app = app;
        }

        static LocalAggregator find(URI url, KafkaConnection connection, PrintWriter out)
                throws InterruptedException {
            String token = System.getenv("LEM_AGGREGATOR_TOKEN");
            ResultsClient probe = new ResultsClient(url, token, Duration.ofSeconds(2));
            if (connection.embedded() == null && AggregateCommand.answers(probe)) {
                return new LocalAggregator(url, token, null);
            }
            AggregatorSettings settings = AggregatorSettings.defaults(connection.bootstrapServers())
                    .withClientProperties(connection.clientProperties())
                    .withStateDir(LemHome.dir().resolve("aggregator").resolve("state"))
                    .withNativeLibraryDir(LemHome.nativeDir())
                    .withBind("127.0.0.1", 0);
            try {
                AggregatorApp app = AggregatorApp.start(settings);
                return new LocalAggregator(app.httpUrl(), null, app);
            } catch (RuntimeException e) {
                throw new UserError("cannot start an aggregator for the run: " + e.getMessage(), ExitCodes.FAILED);
            }
        }

        URI url() {
            return url;
        }

        /** Whether the aggregator answers with results for {@code id}; any other answer, or none, is a no. */
        boolean knows(String id) throws InterruptedException {
            try {
                return new ResultsClient(url, token, Duration.ofSeconds(10))
                        .get("/experiments/" + PathCodec.encodeSegment(id)).ok();
            } catch (IOException e) {
                return false;
            }
        }

        String token() {
            return token;
        }

        @Override
        public void close() {
            if (app != null) {
                app.close();
            }
        }
    }
}
