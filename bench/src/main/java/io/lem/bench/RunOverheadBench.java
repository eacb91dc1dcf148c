package io.lem.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.broker.BrokerSettings;
import io.lem.broker.EmbeddedKafka;
import io.lem.runner.config.ConfigLoader;
import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.engine.EngineOptions;
import io.lem.runner.engine.InferenceEngine;
import io.lem.runner.engine.LoadedModel;
import io.lem.runner.events.EventSink;
import io.lem.runner.events.FileEventSink;
import io.lem.runner.events.KafkaEventSink;
import io.lem.runner.events.KafkaSinkSettings;
import io.lem.runner.events.KafkaTarget;
import io.lem.runner.generate.GenerationConfig;
import io.lem.runner.generate.GenerationListener;
import io.lem.runner.generate.GenerationResult;
import io.lem.runner.generate.Generator;
import io.lem.runner.measure.BackgroundPriority;
import io.lem.runner.measure.JitSettle;
import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.ModelLocator;
import io.lem.runner.model.hub.HubSettings;
import io.lem.runner.model.tokenizer.LemTokenizer;
import io.lem.runner.model.weights.WeightStore;
import io.lem.runner.process.Progress;
import io.lem.runner.process.RunnerOutcome;
import io.lem.runner.process.RunnerProcess;
import io.lem.runner.process.RunnerSettings;
import io.lem.runner.prompts.Prompt;
import io.lem.runner.prompts.PromptSet;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What lem's measurement costs a run: the same generation, in the same JVM, once as a bare loop
 * ({@link Generator#generate} with no listener, on weights loaded afresh and one warm-up batch, as the runner does
 * before its window) and once the way a runner process does it
 * ({@link RunnerProcess}: every energy source available here, the power sampler, the run window, a
 * {@code BatchStarted}/{@code PrefillCompleted}/{@code TokensGenerated} per step/{@code BatchCompleted}/FLOPs events
 * per batch, all sent through the spooling Kafka sink to a real (embedded) broker). The measured figure is the
 * runner's own run window (what the results divide by); the bare figure is the wall time of the same batches.
 * Repetitions alternate the order (bare first, then measured first) so that drift of a shared machine cancels out;
 * the slowdown is the median of the per-pair ratios. Target: at most 1%. {@code --control} replaces the measured side
 * by a second bare loop (an A/A run): its "slowdown" is what the bench reads when nothing differs, i.e. how finely
 * this many pairs can resolve the target on this machine.
 *
 * <pre>
 * usage: RunOverheadBench [--model NAME]... [--repeats N (default 21 for tiny-llama, 7 otherwise)]
 *                         [--prompts N (default 448 for tiny-llama, 24 otherwise)]
 *                         [--batch-size B (default 4)] [--new-tokens T (default 32)] [--sink kafka|file]
 *                         [--control] [--warmup-pairs N (default 0)]
 * </pre>
 * Models default to {@code lem-synthetic/tiny-llama} (the quickstart's) and {@code lem-synthetic/smollm2-135m}
 * (SmolLM2-135M's dimensions); both are synthesized into {@code LEM_HOME} on first use. Exit status 0 when every
 * model is within the target, 1 otherwise, 2 on a usage error.
 */
public final class RunOverheadBench {

    static final double TARGET_SLOWDOWN_PERCENT = 1.0;
    /** The runner's limit on waiting for the JIT before its run window; the bare side waits the same way. */
    private static final java.time.Duration JIT_SETTLE_LIMIT = java.time.Duration.ofSeconds(2);

    /** One timed side of a pair: its wall time, and the process's minor page faults inside it (-1: unknown). */
    record Window(double ms, long minorFaults, GcTime gc) {
    }

    /** Runs one side of a pair; {@code id} names the experiment of a measured run. */
    @FunctionalInterface
    private interface Side {
        Window run(String id) throws Exception;
    }

    private RunOverheadBench() {
    }

    /**
     * Prompts per run when {@code --prompts} is not given: the quickstart's tiny model generates 24 prompts in 50 ms,
     * where one scheduler time slice or JIT compilation is several percent; 448 (the built-in set four times over)
     * make its run about 0.8 s. The SmolLM2-sized model's 24 take about 19 s.
     */
    static int defaultPrompts(String model) {
        return model.endsWith("/tiny-llama") ? 448 : 24;
    }

    /**
     * Pairs per model when {@code --repeats} is not given: a tiny-model pair takes about 2 s and single pairs swing by
     * tens of percent on the development VM (seven pairs put the median's 95 % bootstrap interval at about -15 to
     * +11 %), so it gets 21; a SmolLM2-sized pair takes about 40 s and swings by a few percent, 7.
     */
    static int defaultRepeats(String model) {
        return model.endsWith("/tiny-llama") ? 21 : 7;
    }

    /**
     * {@code prompts} is 0 when not given: then {@link #defaultPrompts(String)} per model; {@code repeats} likewise
     * ({@link #defaultRepeats(String)}).
     */
    record Options(List<String> models, int repeats, int prompts, int batchSize, int newTokens, boolean kafka,
                   boolean control, int warmupPairs) {
        int promptsFor(String model) {
            return prompts > 0 ? prompts : defaultPrompts(model);
        }

        int repeatsFor(String model) {
            return repeats > 0 ? repeats : defaultRepeats(model);
        }

        static final String USAGE = "[--model NAME]... [--repeats N (default 21 for tiny-llama, 7 otherwise)] "
                + "[--prompts N (default 448 for tiny-llama, 24 otherwise)] "
                + "[--batch-size B (default 4)] [--new-tokens T (default 32)] [--sink kafka|file (default kafka)] "
                + "[--control] [--warmup-pairs N (default 0)]";

        static Options parse(String[] args) {
            List<String> models = new ArrayList<>();
            int repeats = 0;
            int prompts = 0;
            int batch = 4;
            int tokens = 32;
            boolean kafka = true;
            boolean control = false;
            int warmupPairs = 0;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--control")) {
                    control = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                try {
                    switch (flag) {
                        case "--model" -> models.add(value);
                        case "--repeats" -> {
                            repeats = Integer.parseInt(value);
                            if (repeats < 1) {
                                throw new IllegalArgumentException("--repeats must be >= 1, was " + repeats);
                            }
                        }
                        case "--prompts" -> prompts = Integer.parseInt(value);
                        case "--batch-size" -> batch = Integer.parseInt(value);
                        case "--new-tokens" -> tokens = Integer.parseInt(value);
                        case "--warmup-pairs" -> warmupPairs = Integer.parseInt(value);
                        case "--sink" -> {
                            if (!value.equals("kafka") && !value.equals("file")) {
                                throw new IllegalArgumentException("--sink must be kafka or file, was " + value);
                            }
                            kafka = value.equals("kafka");
                        }
                        default -> throw new IllegalArgumentException("unknown option " + flag);
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(flag + ": not a whole number: " + value);
                }
            }
            if (prompts < 0 || batch < 1 || tokens < 1) {
                throw new IllegalArgumentException("--prompts, --batch-size and --new-tokens must be >= 1");
            }
            if (warmupPairs < 0) {
                throw new IllegalArgumentException("--warmup-pairs must be >= 0, was " + warmupPairs);
            }
            if (models.isEmpty()) {
                models = List.of("lem-synthetic/tiny-llama", "lem-synthetic/smollm2-135m");
            }
            return new Options(models, repeats, prompts, batch, tokens, kafka, control, warmupPairs);
        }
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("usage: RunOverheadBench " + Options.USAGE + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(options) ? 0 : 1);
    }

    static boolean run(Options o) throws Exception {
        Path work = Files.createTempDirectory("lem-run-overhead-");
        Path lemHome = Path.of(System.getenv().getOrDefault("LEM_HOME",
                Path.of(System.getProperty("user.home"), ".lem").toString()));
        Path base = Path.of("configs", "base.yaml").toAbsolutePath();
        if (!Files.isRegularFile(base)) {
            throw new IllegalStateException("run from the repository root: " + base + " not found");
        }
        boolean pass = true;
        List<String> table = new ArrayList<>();
        // started as `lem run` starts its local stack: below the runner's priority (BackgroundPriority)
        int brokerNiceSteps = BackgroundPriority.configuredSteps(System.getenv());
        try (EmbeddedKafka broker = BackgroundPriority.callLowered("lem-bench-broker-start", brokerNiceSteps,
                () -> EmbeddedKafka.start(BrokerSettings.defaults(work.resolve("kafka"))))) {
            System.out.printf("setup: %d CPUs, PyTorch intra-op threads %s, Java %s, embedded broker %s, "
                            + "LEM_HOME %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("ai.djl.pytorch.num_threads", "= CPUs"), System.getProperty("java.version"),
                    broker.bootstrapServers(), lemHome);
            for (String model : o.models()) {
                Result r = measure(o, model, base, work, lemHome, o.kafka() ? broker.bootstrapServers() : null);
                pass &= r.slowdownPercent() <= TARGET_SLOWDOWN_PERCENT;
                table.add(String.format(Locale.ROOT, "| %s%s | %d prompts in batches of %d, %d new tokens | %.1f | %.1f "
                                + "| %+.2f %% (pairs: %s) | %s |", model, o.control() ? " (A/A control)" : "",
                        r.prompts(), o.batchSize(), o.newTokens(), r.bareMedianMs(), r.measuredMedianMs(),
                        r.slowdownPercent(), r.pairs(),
                        r.slowdownPercent() <= TARGET_SLOWDOWN_PERCENT ? "PASS" : "FAIL"));
            }
        } finally {
            deleteTree(work);
        }
        System.out.println();
        System.out.println("| model | work | bare ms (median) | measured ms (median) | slowdown, median of pairs | "
                + "≤ 1 % |");
        System.out.println("|---|---|---|---|---|---|");
        table.forEach(System.out::println);
        return pass;
    }

    record Result(int prompts, double bareMedianMs, double measuredMedianMs, double slowdownPercent, String pairs) {
    }

    private static Result measure(Options o, String model, Path base, Path work, Path lemHome, String bootstrap)
            throws Exception {
        Path config = work.resolve(model.replace('/', '_') + ".yaml");
        Path promptsFile = promptsFile(work, o.promptsFor(model));
        Files.writeString(config, "_extends: \"" + base + "\"\n"
                + "config_name: run-overhead\nmodel_name: " + model + "\n"
                + "prompts:\n  file: \"" + promptsFile + "\"\n"
                + "num_input_prompts: " + o.promptsFor(model) + "\nmax_input_tokens: 64\n"
                + "max_output_tokens: " + o.newTokens() + "\nmin_output_tokens: " + o.newTokens() + "\n"
                + "num_processes: 1\nwarmup_batches: 1\nfp_precision: float32\n"
                + "batching_options:\n  batch_size: " + o.batchSize() + "\n");
        ExperimentConfig c = ConfigLoader.load(config);
        ModelFiles files = ModelLocator.locate(c.modelName(), c.revision(), HubSettings.fromEnv(System.getenv()),
                lemHome);
        List<Prompt> prompts = PromptSet.load(c.prompts()).first(c.numInputPrompts()).shard(0, 1);
        System.out.printf("%n%s: %d prompts in batches of %d, %d new tokens each, %d repetitions%s%n", model,
                prompts.size(), o.batchSize(), o.newTokens(), o.repeatsFor(model), o.control()
                        ? "; A/A CONTROL: the 'measured' side is a second bare loop, so the slowdown is the bench's "
                        + "own noise for this many pairs" : "");

        int repeats = o.repeatsFor(model);
        double[] bare = new double[repeats];
        double[] measured = new double[repeats];
        double[] ratios = new double[repeats];
        try (LemTokenizer tokenizer = LemTokenizer.load(files);
             LoadedModel loaded = load(files, c)) {
            List<int[]> encoded = prompts.stream().map(p -> tokenizer.encode(p.text())).toList();
            Generator generator = new Generator(loaded, GenerationConfig.of(c,
                    Arrays.stream(tokenizer.eosTokenIds()).boxed().toList(), tokenizer.padTokenId()));
            generator.generate(encoded.subList(0, Math.min(encoded.size(), o.batchSize())), GenerationListener.NONE);
            long expectedTokens = (long) encoded.size() * o.newTokens();
            boolean freshBare = !"false".equals(System.getProperty("lem.bench.fresh-bare"));
            Side bareSide = id -> freshBare ? freshBare(files, c, tokenizer, encoded, o.batchSize(), expectedTokens)
                    : bare(generator, encoded, expectedTokens);
            Side measuredSide = id -> o.control() ? bareSide.run(id)
                    : measured(c, id + "_" + System.nanoTime(), bootstrap, lemHome, work, expectedTokens, false);
            // untimed pairs first: both sides' code (the runner's event path, Jackson, the Kafka clients) compiled
            // before any pair counts, so the pairs compare steady state rather than who compiles more in its window
            for (int w = 0; w < o.warmupPairs(); w++) {
                Window b = bareSide.run(null);
                Window m = measuredSide.run("exp_overhead_warmup_" + w);
                System.out.printf(Locale.ROOT, "  warm-up pair %d (not counted): bare %.1f ms, measured %.1f ms%n",
                        w + 1, b.ms(), m.ms());
            }
            for (int rep = 0; rep < repeats; rep++) {
                boolean bareFirst = rep % 2 == 0;
                String id = "exp_overhead_" + rep;
                Window b;
                Window m;
                if (bareFirst) {
                    b = bareSide.run(null);
                    m = measuredSide.run(id);
                } else {
                    m = measuredSide.run(id);
                    b = bareSide.run(null);
                }
                bare[rep] = b.ms();
                measured[rep] = m.ms();
                ratios[rep] = measured[rep] / bare[rep];
                System.out.printf(Locale.ROOT, "  pair %d (%s first): bare %.1f ms, measured %.1f ms, ratio %.4f; "
                                + "minor page faults in the windows: bare %,d, measured %,d; collections (ms): bare %d (%d), "
                                + "measured %d (%d)%n", rep + 1,
                        bareFirst ? "bare" : "measured", bare[rep], measured[rep], ratios[rep], b.minorFaults(),
                        m.minorFaults(), b.gc().collections(), b.gc().millis(), m.gc().collections(),
                        m.gc().millis());
            }
            if (!o.control()) {
                // the same for one more bare loop, not scored
                ContextSwitches bare0 = ContextSwitches.take();
                ThreadAllocation bareAlloc0 = ThreadAllocation.take();
                bare(generator, encoded, expectedTokens);
                ThreadAllocation bareAlloc1 = ThreadAllocation.take();
                System.out.println("  context switches during one more bare loop, by thread name:");
                ContextSwitches.take().reportSince(bare0, 10).forEach(line -> System.out.println("    " + line));
                System.out.println("  heap allocated during that bare loop, by thread name:");
                bareAlloc1.reportSince(bareAlloc0, 6).forEach(line -> System.out.println("    " + line));
                // one more measured run, not scored, for the CPU-by-thread report: taking it reads every thread's CPU
                // time (milliseconds of work) just before the run window closes, which would count against a scored
                // run
                measured(c, "exp_overhead_threads_" + System.nanoTime(), bootstrap, lemHome, work, expectedTokens,
                        true);
            }
        }
        StringBuilder pairs = new StringBuilder();
        for (double r : ratios) {
            pairs.append(pairs.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%+.1f", (r - 1) * 100));
        }
        double slowdown = (median(ratios) - 1) * 100;
        String blocks = abbaBlocks(bare, measured);
        if (!blocks.isEmpty()) {
            System.out.printf(Locale.ROOT, "%s: drift-robust cross-check, measured / bare over each two pairs in turn "
                    + "(bare-measured, measured-bare: a steady drift of the machine cancels): %s%n", model, blocks);
        }
        double[] interval = medianInterval(ratios);
        System.out.printf(Locale.ROOT, "%s: bare median %.1f ms, measured median %.1f ms, slowdown %+.2f %% "
                        + "(median of pairs; 95 %% bootstrap interval of that median %+.2f to %+.2f %%; target <= "
                        + "%.1f %%): %s%n", model, median(bare), median(measured), slowdown, (interval[0] - 1) * 100,
                (interval[1] - 1) * 100, TARGET_SLOWDOWN_PERCENT,
                slowdown <= TARGET_SLOWDOWN_PERCENT ? "PASS" : "FAIL");
        return new Result(prompts.size(), median(bare), median(measured), slowdown, pairs.toString());
    }

    /**
     * A JSONL prompts file of {@code n} prompts: the built-in default set, repeated as often as needed (the tiny
     * model's default, 448, is four rounds of its 112).
     */
    private static Path promptsFile(Path work, int n) throws IOException {
        List<String> builtin = PromptSet.builtin(PromptSet.DEFAULT_BUILTIN).texts();
        ObjectMapper json = new ObjectMapper();
        List<String> lines = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            lines.add(json.writeValueAsString(Map.of("prompt", builtin.get(i % builtin.size()))));
        }
        Path file = work.resolve("prompts-" + n + ".jsonl");
        Files.write(file, lines);
        return file;
    }

    private static LoadedModel load(ModelFiles files, ExperimentConfig c) throws IOException {
        try (WeightStore weights = files.openWeights()) {
            return InferenceEngine.load(files.config(), weights, EngineOptions.of(c, "cpu"));
        }
    }

    /**
     * {@link #bare} on weights and a tokenizer loaded afresh, after one warm-up batch, as the measured side's runner
     * process does before its window (the default; {@code -Dlem.bench.fresh-bare=false} reuses the weights loaded once): both
     * sides then time a loop over a copy of the weights loaded just before, and the difference is what measuring
     * costs, not also where a fresh 540 MB copy landed in memory.
     */
    private static Window freshBare(ModelFiles files, ExperimentConfig c, LemTokenizer tokenizer, List<int[]> encoded,
                                    int batchSize, long expectedTokens) throws IOException, InterruptedException {
        // the tokenizer is loaded and the prompts encoded again too, as the runner does before its window: parsing
        // tokenizer.json makes the JIT compile the JSON parser, and that compilation runs on into the window
        List<Prompt> prompts = PromptSet.load(c.prompts()).first(c.numInputPrompts()).shard(0, 1);
        try (LemTokenizer reloaded = LemTokenizer.load(files)) {
            List<int[]> again = prompts.stream().map(p -> reloaded.encode(p.text())).toList();
            for (int i = 0; i < again.size(); i++) {
                if (!Arrays.equals(again.get(i), encoded.get(i))) {
                    throw new IllegalStateException("prompt " + i + " encoded differently on a reloaded tokenizer");
                }
            }
        }
        try (LoadedModel fresh = load(files, c)) {
            Generator generator = new Generator(fresh, GenerationConfig.of(c,
                    Arrays.stream(tokenizer.eosTokenIds()).boxed().toList(), tokenizer.padTokenId()));
            generator.generate(encoded.subList(0, Math.min(encoded.size(), batchSize)), GenerationListener.NONE);
            // as the runner does before it opens its run window
            JitSettle.await(JIT_SETTLE_LIMIT);
            return bare(generator, encoded, expectedTokens);
        }
    }

    /** The bare loop over the same batches, timed. */
    private static Window bare(Generator generator, List<int[]> encoded, long expectedTokens) {
        PageFaults faults0 = PageFaults.take();
        GcTime gc0 = GcTime.take();
        long start = System.nanoTime();
        List<GenerationResult> results = generator.generate(encoded, GenerationListener.NONE);
        double ms = (System.nanoTime() - start) / 1e6;
        long faults = PageFaults.take().minorSince(faults0);
        GcTime gc = GcTime.take().since(gc0);
        long tokens = results.stream().mapToLong(r -> r.generatedTokens().length).sum();
        if (tokens != expectedTokens) {
            throw new IllegalStateException("bare loop generated " + tokens + " tokens, expected " + expectedTokens);
        }
        return new Window(ms, faults, gc);
    }

    /** The runner's measured run window of a whole runner process on the same config. */
    private static Window measured(ExperimentConfig c, String id, String bootstrap, Path lemHome, Path work,
                                   long expectedTokens, boolean printThreads) throws Exception {
        EventSink sink = bootstrap != null ? KafkaEventSink.open(KafkaSinkSettings.defaults(KafkaTarget.of(bootstrap),
                work.resolve("spool")), id, 0) : FileEventSink.open(work.resolve("events").resolve(id + ".jsonl"));
        RunnerSettings settings = RunnerSettings.builder(c, id, sink).lemHome(lemHome)
                .resultsDir(work.resolve("results")).host(InetAddress.getLocalHost().getHostName())
                .environment(Map.copyOf(System.getenv())).build();
        // CPU by thread over the measured batches, read while the sampler and the delivery threads still live (only
        // in the unscored run that reports it)
        ThreadCpu[] cpu = new ThreadCpu[2];
        ThreadAllocation[] alloc = new ThreadAllocation[2];
        ContextSwitches[] switches = new ContextSwitches[2];
        PageFaults[] faults = new PageFaults[2];
        GcTime[] gc = new GcTime[2];
        RunnerOutcome outcome = new RunnerProcess(settings, progress -> {
            if (progress.phase().equals(Progress.WARMUP) && progress.batch() == progress.batches()) {
                faults[0] = PageFaults.take();
                gc[0] = GcTime.take();
                if (printThreads) {
                    cpu[0] = ThreadCpu.take();
                    switches[0] = ContextSwitches.take();
                    alloc[0] = ThreadAllocation.take();
                }
            } else if (progress.phase().equals(Progress.RUN) && progress.batch() == progress.batches()) {
                faults[1] = PageFaults.take();
                gc[1] = GcTime.take();
                if (printThreads) {
                    alloc[1] = ThreadAllocation.take();
                    switches[1] = ContextSwitches.take();
                    cpu[1] = ThreadCpu.take();
                }
            }
        }).run();
        if (printThreads && cpu[0] != null && cpu[1] != null) {
            System.out.println("  CPU by thread during the measured batches of that run (JVM threads; PyTorch's "
                    + "intra-op threads are native and not listed):");
            cpu[1].reportSince(cpu[0], 8).forEach(line -> System.out.println("    " + line));
            System.out.println("  context switches during those batches (voluntary: the thread slept and was woken; "
                    + "preempted: it lost its core), by thread name:");
            switches[1].reportSince(switches[0], 10).forEach(line -> System.out.println("    " + line));
            System.out.println("  heap allocated during those batches, by thread name:");
            alloc[1].reportSince(alloc[0], 10).forEach(line -> System.out.println("    " + line));
        }
        if (!outcome.completed() || outcome.outputTokens() != expectedTokens) {
            throw new IllegalStateException("the runner process ended " + outcome.status() + " with "
                    + outcome.outputTokens() + " tokens (expected " + expectedTokens + "): " + outcome.error());
        }
        return new Window(outcome.durationNanos() / 1e6,
                faults[0] != null && faults[1] != null ? faults[1].minorSince(faults[0]) : -1,
                gc[0] != null && gc[1] != null ? gc[1].since(gc[0]) : new GcTime(-1, -1));
    }

    /**
     * Sum of measured over sum of bare for pairs 1+2, 3+4, ...: the pairs alternate their order, so each such block
     * runs bare, measured, measured, bare, and a drift of the machine that is steady over the block cancels out of its
     * ratio. The median of per-pair ratios does not cancel it: each pair's ratio carries it with the sign of its
     * order. Empty with fewer than two pairs.
     */
    static String abbaBlocks(double[] bare, double[] measured) {
        StringBuilder out = new StringBuilder();
        int blocks = bare.length / 2;
        double[] ratios = new double[blocks];
        for (int b = 0; b < blocks; b++) {
            ratios[b] = (measured[2 * b] + measured[2 * b + 1]) / (bare[2 * b] + bare[2 * b + 1]);
            out.append(b == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%+.1f", (ratios[b] - 1) * 100));
        }
        return blocks == 0 ? "" : String.format(Locale.ROOT, "%+.2f %% (median of %d blocks: %s %%)",
                (median(ratios) - 1) * 100, blocks, out);
    }

    /**
     * 2.5th and 97.5th percentiles of the median of {@code values} resampled with replacement (10,000 times, fixed
     * seed): how far the verdict's median could move with other pairs from the same machine. Wide when the pairs
     * are few or the machine noisy; a target inside it is not resolved by the run.
     */
    static double[] medianInterval(double[] values) {
        int resamples = 10_000;
        double[] medians = new double[resamples];
        java.util.Random random = new java.util.Random(42);
        double[] sample = new double[values.length];
        for (int r = 0; r < resamples; r++) {
            for (int i = 0; i < values.length; i++) {
                sample[i] = values[random.nextInt(values.length)];
            }
            medians[r] = median(sample);
        }
        Arrays.sort(medians);
        return new double[]{medians[(int) (0.025 * resamples)], medians[(int) (0.975 * resamples) - 1]};
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
