package io.lem.runner.process;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of {@link RunnerMain}. Options take their value as the next argument or after {@code =}
 * ({@code --process-index 2}, {@code --process-index=2}).
 *
 * @param config           {@code --config C} (required): the experiment config file
 * @param experimentId     {@code --experiment-id ID} (required)
 * @param processIndex     {@code --process-index I}; absent: {@code $RANK}, else 0
 * @param numProcesses     {@code --num-processes N}; absent: {@code $WORLD_SIZE}, else the config's
 *                         {@code num_processes}
 * @param localRank        {@code --local-rank R}; absent: {@code $LOCAL_RANK}, else 0
 * @param localWorldSize   {@code --local-world-size N}: processes of the experiment on this host, which open and close
 *                         their run windows together; absent: {@code $LOCAL_WORLD_SIZE}, else 1
 * @param device           {@code --device cpu|gpu:N}; absent: see {@link RunnerMain#defaultDevice}
 * @param bootstrapServers {@code --bootstrap-servers B}; absent: the config's {@code kafka.bootstrap_servers}
 * @param eventsFile       {@code --events-file F}: write events as JSONL to F instead of Kafka
 * @param clientProperties {@code --client-properties F}: Kafka client properties (SASL/SSL); absent: the config's
 *                         {@code kafka.client_properties_file}
 * @param pluginsDirs      {@code --plugins-dir D}, repeatable
 * @param pluginSettings   {@code --plugin-setting KEY=VALUE}, repeatable (e.g. {@code constant-power.watts=50})
 * @param lemHome          {@code --lem-home H}; absent: {@code $LEM_HOME}, else {@code ~/.lem}
 * @param resultsDir       {@code --results-dir R} (default {@code results}): where {@code save_outputs} writes
 * @param help             {@code --help} / {@code -h}
 */
public record RunnerArgs(Path config, String experimentId, Integer processIndex, Integer numProcesses,
                         Integer localRank, Integer localWorldSize, String device, String bootstrapServers,
                         Path eventsFile, Path clientProperties, List<Path> pluginsDirs,
                         Map<String, String> pluginSettings, Path lemHome, Path resultsDir, boolean help) {

    public RunnerArgs {
        pluginsDirs = List.copyOf(pluginsDirs);
        pluginSettings = Map.copyOf(pluginSettings);
    }

    private static final java.util.Set<String> OPTIONS = java.util.Set.of("--config", "--experiment-id",
            "--process-index", "--num-processes", "--local-rank", "--local-world-size", "--device", "--bootstrap-servers",
            "--events-file",
            "--client-properties", "--plugins-dir", "--plugin-setting", "--lem-home", "--results-dir");

    /** What {@code --help} prints. */
    public static final String USAGE = String.join(System.lineSeparator(),
            "Usage: lem runner --config C --experiment-id ID",
            "         [--process-index I] [--num-processes N] [--local-rank R] [--local-world-size N]",
            "         [--device cpu|gpu:N]",
            "         [--bootstrap-servers B | --events-file F] [--client-properties F]",
            "         [--plugins-dir D]... [--plugin-setting KEY=VALUE]... [--lem-home H] [--results-dir R]",
            "  (or: java -cp <lem class path> io.lem.runner.process.RunnerMain with the same options)",
            "Runs one process of an experiment and emits its events to Kafka (or a JSONL file).",
            "  --process-index, --num-processes, --local-rank, --local-world-size default to $RANK, $WORLD_SIZE,",
            "  $LOCAL_RANK, $LOCAL_WORLD_SIZE (as set by torchrun/accelerate), else 0, the config's num_processes,",
            "  0, 1. The local processes of an experiment open and close their run windows together.",
            "Progress: one line per batch on stdout, 'LEM-PROGRESS <json>'; at the end 'LEM-RESULT <json>'.",
            "Exit codes: 0 completed, 1 failed (ProcessFailed emitted), 2 invalid input (nothing started),",
            "  130 cancelled (SIGTERM/SIGINT; ProcessFailed \"cancelled\" emitted).");

    /** A command line that cannot be used; exit code 2. */
    public static final class UsageException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }

    /** Parses the command line; {@link UsageException} for unknown options, missing values and bad numbers. */
    public static RunnerArgs parse(String... args) {
        Path config = null;
        String experimentId = null;
        Integer processIndex = null;
        Integer numProcesses = null;
        Integer localRank = null;
        Integer localWorldSize = null;
        String device = null;
        String bootstrap = null;
        Path eventsFile = null;
        Path clientProperties = null;
        List<Path> pluginsDirs = new ArrayList<>();
        Map<String, String> pluginSettings = new LinkedHashMap<>();
        Path lemHome = null;
        Path resultsDir = Path.of("results");
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (name.equals("--help") || name.equals("-h")) {
                help = true;
                continue;
            }
            if (!name.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            if (!OPTIONS.contains(name)) {
                throw new UsageException("unknown option " + name);
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value");
                }
                value = args[++i];
            }
            switch (name) {
                case "--config":
                    config = path(name, value);
                    break;
                case "--experiment-id":
                    experimentId = nonBlank(name, value);
                    break;
                case "--process-index":
                    processIndex = integer(name, value, 0);
                    break;
                case "--num-processes":
                    numProcesses = integer(name, value, 1);
                    break;
                case "--local-rank":
                    localRank = integer(name, value, 0);
                    break;
                case "--local-world-size":
                    localWorldSize = integer(name, value, 1);
                    break;
                case "--device":
                    device = nonBlank(name, value);
                    break;
                case "--bootstrap-servers":
                    bootstrap = nonBlank(name, value);
                    break;
                case "--events-file":
                    eventsFile = path(name, value);
                    break;
                case "--client-properties":
                    clientProperties = path(name, value);
                    break;
                case "--plugins-dir":
                    pluginsDirs.add(path(name, value));
                    break;
                case "--plugin-setting": {
                    int at = value.indexOf('=');
                    if (at <= 0) {
                        throw new UsageException("--plugin-setting must look like KEY=VALUE, was '" + value + "'");
                    }
                    pluginSettings.put(value.substring(0, at).strip(), value.substring(at + 1).strip());
                    break;
                }
                case "--lem-home":
                    lemHome = path(name, value);
                    break;
                case "--results-dir":
                    resultsDir = path(name, value);
                    break;
                default:
                    throw new UsageException("unknown option " + name);
            }
        }
        if (help) {
            return new RunnerArgs(config, experimentId, processIndex, numProcesses, localRank, localWorldSize, device,
                    bootstrap, eventsFile, clientProperties, pluginsDirs, pluginSettings, lemHome, resultsDir, true);
        }
        if (config == null) {
            throw new UsageException("--config is required");
        }
        if (experimentId == null) {
            throw new UsageException("--experiment-id is required");
        }
        if (bootstrap != null && eventsFile != null) {
            throw new UsageException("--bootstrap-servers and --events-file exclude each other: events go to Kafka "
                    + "or to a file");
        }
        return new RunnerArgs(config, experimentId, processIndex, numProcesses, localRank, localWorldSize, device,
                bootstrap, eventsFile, clientProperties, pluginsDirs, pluginSettings, lemHome, resultsDir, false);
    }

    /** The process index: the flag, else {@code $RANK}, else 0. */
    public int processIndex(Map<String, String> environment) {
        return processIndex != null ? processIndex : fromEnvironment(environment, "RANK", 0, 0);
    }

    /** The process count: the flag, else {@code $WORLD_SIZE}, else {@code configured}. */
    public int numProcesses(Map<String, String> environment, int configured) {
        return numProcesses != null ? numProcesses : fromEnvironment(environment, "WORLD_SIZE", 1, configured);
    }

    /** The local rank: the flag, else {@code $LOCAL_RANK}, else 0. */
    public int localRank(Map<String, String> environment) {
        return localRank != null ? localRank : fromEnvironment(environment, "LOCAL_RANK", 0, 0);
    }

    /** The processes of the experiment on this host: the flag, else {@code $LOCAL_WORLD_SIZE}, else 1. */
    public int localWorldSize(Map<String, String> environment) {
        return localWorldSize != null ? localWorldSize : fromEnvironment(environment, "LOCAL_WORLD_SIZE", 1, 1);
    }

    private static int fromEnvironment(Map<String, String> environment, String variable, int min, int fallback) {
        String text = environment.get(variable);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        return integer("$" + variable, text.strip(), min);
    }

    private static int integer(String name, String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a whole number, was '" + value + "'");
        }
        if (n < min) {
            throw new UsageException(name + " must be >= " + min + ", was " + n);
        }
        return n;
    }

    private static String nonBlank(String name, String value) {
        if (value.isBlank()) {
            throw new UsageException(name + " must not be blank");
        }
        return value.strip();
    }

    private static Path path(String name, String value) {
        try {
            return Path.of(nonBlank(name, value));
        } catch (InvalidPathException e) {
            throw new UsageException(name + ": not a path: '" + value + "'");
        }
    }
}
