package io.lem.runner.process;

import io.lem.runner.config.ExperimentConfig;
import io.lem.runner.events.EventSink;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything one runner process needs. Build with {@link #builder}; every field but the config, the experiment id and
 * the sink has a default.
 *
 * @param config             the resolved experiment config
 * @param experimentId       experiment the events belong to
 * @param processIndex       this process, 0..numProcesses-1: decides its prompt shard and its event key
 * @param numProcesses       processes of the experiment (default: {@code num_processes} of the config)
 * @param localRank          rank on this host; host-level energy meters run only on local rank 0 (default 0)
 * @param localWorldSize     processes of this experiment on this host (default 1). With more than one, they open and
 *                           close their run windows together ({@link LocalPeers}), so that the host-level meters of
 *                           local rank 0 cover every local process's batches
 * @param device             {@code cpu} or {@code gpu:N} (default {@code cpu}). With {@code gpu_list} the launcher
 *                           pins one GPU per process through {@code CUDA_VISIBLE_DEVICES}, so the process uses
 *                           {@code gpu:0}
 * @param sink               where the events go; the runner process owns it from {@link RunnerProcess#run()} on and
 *                           closes it before returning
 * @param lemHome            lem's state directory: synthetic models ({@code models/}), plugins ({@code plugins/})
 *                           (default {@code $LEM_HOME}, else {@code ~/.lem})
 * @param pluginsDirs        extra plugins directories, searched before {@code ./plugins} and
 *                           {@code <lemHome>/plugins}
 * @param pluginSettings     plugin settings such as {@code constant-power.watts=50} (default none)
 * @param resultsDir         results root; with {@code save_outputs} the generated text goes to
 *                           {@code <resultsDir>/outputs/<experimentId>/process_<index>.jsonl} (default
 *                           {@code results})
 * @param environment        the process environment: HuggingFace hub settings ({@code HF_TOKEN}, {@code HF_ENDPOINT},
 *                           {@code HF_HOME}, ...) and what plugins may read (default {@link System#getenv()})
 * @param host               host name in envelopes and device keys (default {@code $HOSTNAME}, else the
 *                           resolver's name of this machine)
 * @param batchEnergyWindows measure measured batches as their own energy windows {@code batch-<index>} (default
 *                           true): each batch whose previous batch (a warm-up one for the first) lasted at least the
 *                           sources' longest update period; shorter windows would be unreliable
 */
public record RunnerSettings(ExperimentConfig config, String experimentId, int processIndex, int numProcesses,
                             int localRank, int localWorldSize, String device, EventSink sink, Path lemHome,
                             List<Path> pluginsDirs, Map<String, String> pluginSettings, Path resultsDir,
                             Map<String, String> environment, String host, boolean batchEnergyWindows) {

    public RunnerSettings {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(experimentId, "experimentId");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(lemHome, "lemHome");
        Objects.requireNonNull(resultsDir, "resultsDir");
        Objects.requireNonNull(host, "host");
        if (experimentId.isBlank()) {
            throw new IllegalArgumentException("experimentId must not be blank");
        }
        if (numProcesses < 1) {
            throw new IllegalArgumentException("numProcesses must be >= 1, was " + numProcesses);
        }
        if (processIndex < 0 || processIndex >= numProcesses) {
            throw new IllegalArgumentException("processIndex must be in [0, " + numProcesses + "), was "
                    + processIndex);
        }
        if (localRank < 0) {
            throw new IllegalArgumentException("localRank must be >= 0, was " + localRank);
        }
        if (localWorldSize < 1) {
            throw new IllegalArgumentException("localWorldSize must be >= 1, was " + localWorldSize);
        }
        if (localWorldSize > 1 && localRank >= localWorldSize) {
            throw new IllegalArgumentException("localRank must be below localWorldSize " + localWorldSize + ", was "
                    + localRank);
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        pluginsDirs = List.copyOf(pluginsDirs);
        pluginSettings = Map.copyOf(pluginSettings);
        environment = Map.copyOf(environment);
    }

    /** Settings with defaults for everything but the config, the experiment id and the sink. */
    public static Builder builder(ExperimentConfig config, String experimentId, EventSink sink) {
        return new Builder(config, experimentId, sink);
    }

    /** {@code $LEM_HOME} of {@code environment}, else {@code ~/.lem}. */
    public static Path defaultLemHome(Map<String, String> environment) {
        String home = environment.get("LEM_HOME");
        return home != null && !home.isBlank() ? Path.of(home.trim())
                : Path.of(System.getProperty("user.home"), ".lem");
    }

    /** Where {@code save_outputs} writes this process's generated text. */
    public Path outputsFile() {
        return resultsDir.resolve("outputs").resolve(OutputsFile.directoryName(experimentId))
                .resolve("process_" + processIndex + ".jsonl");
    }

    public static final class Builder {
        private final ExperimentConfig config;
        private final String experimentId;
        private final EventSink sink;
        private int processIndex;
        private Integer numProcesses;
        private int localRank;
        private int localWorldSize = 1;
        private String device = "cpu";
        private Path lemHome;
        private List<Path> pluginsDirs = new ArrayList<>();
        private Map<String, String> pluginSettings = Map.of();
        private Path resultsDir = Path.of("results");
        private Map<String, String> environment;
        private String host;
        private boolean batchEnergyWindows = true;

        private Builder(ExperimentConfig config, String experimentId, EventSink sink) {
            this.config = Objects.requireNonNull(config, "config");
            this.experimentId = experimentId;
            this.sink = sink;
        }

        public Builder processIndex(int processIndex) {
            this.processIndex = processIndex;
            return this;
        }

        public Builder numProcesses(int numProcesses) {
            this.numProcesses = numProcesses;
            return this;
        }

        public Builder localRank(int localRank) {
            this.localRank = localRank;
            return this;
        }

        public Builder localWorldSize(int localWorldSize) {
            this.localWorldSize = localWorldSize;
            return this;
        }

        public Builder device(String device) {
            this.device = device;
            return this;
        }

        public Builder lemHome(Path lemHome) {
            this.lemHome = lemHome;
            return this;
        }

        public Builder pluginsDirs(List<Path> pluginsDirs) {
            this.pluginsDirs = new ArrayList<>(pluginsDirs);
            return this;
        }

        public Builder pluginSettings(Map<String, String> pluginSettings) {
            this.pluginSettings = pluginSettings;
            return this;
        }

        public Builder resultsDir(Path resultsDir) {
            this.resultsDir = resultsDir;
            return this;
        }

        public Builder environment(Map<String, String> environment) {
            this.environment = environment;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder batchEnergyWindows(boolean batchEnergyWindows) {
            this.batchEnergyWindows = batchEnergyWindows;
            return this;
        }

        public RunnerSettings build() {
            Map<String, String> env = environment != null ? environment : System.getenv();
            return new RunnerSettings(config, experimentId, processIndex,
                    numProcesses != null ? numProcesses : config.numProcesses(), localRank, localWorldSize, device,
                    sink, lemHome != null ? lemHome : defaultLemHome(env), pluginsDirs, pluginSettings, resultsDir, env,
                    host != null ? host : HostInfo.localHostName(env), batchEnergyWindows);
        }
    }
}
