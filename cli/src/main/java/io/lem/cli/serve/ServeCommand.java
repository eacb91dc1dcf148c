package io.lem.cli.serve;

import io.lem.aggregator.app.AggregatorApp;
import io.lem.aggregator.app.AggregatorSettings;
import io.lem.cli.ExitCodes;
import io.lem.cli.LemHome;
import io.lem.cli.UserError;
import io.lem.cli.kafka.KafkaConnection;
import io.lem.cli.kafka.KafkaOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** {@code lem serve}: one aggregator instance, plus the embedded broker when no Kafka is configured. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run an aggregator instance: fold the event topic into per-process and per-experiment results",
                "and serve them over HTTP (GET /experiments, /experiments/{id}, /experiments/{id}/processes[/{n}],",
                "/health, /metrics). Instances with the same application id share the work and forward queries.",
                "With no Kafka configured it also starts the embedded broker on 127.0.0.1:9092: a complete local",
                "stack in one command. Ctrl-C stops it cleanly."})
public final class ServeCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7070",
            description = "HTTP address (default: ${DEFAULT-VALUE}); port 0 picks a free one.")
    String bind;

    @Option(names = "--advertised-host", paramLabel = "HOST",
            description = "Host other instances use to reach this one (default: the bind host).")
    String advertisedHost;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "RocksDB state directory (default: ~/.lem/aggregator/state).")
    Path stateDir;

    @Option(names = "--application-id", paramLabel = "ID", defaultValue = "lem-aggregator",
            description = "Kafka Streams application id; instances with the same id share the work"
                    + " (default: ${DEFAULT-VALUE}).")
    String applicationId;

    @Option(names = "--stream-threads", paramLabel = "N",
            defaultValue = "" + AggregatorSettings.DEFAULT_STREAM_THREADS,
            description = "Kafka Streams threads of this instance (default: ${DEFAULT-VALUE}; partitions bound the"
                    + " useful number over all instances).")
    int streamThreads;

    @Option(names = "--token-env", paramLabel = "VAR", defaultValue = "LEM_AGGREGATOR_TOKEN",
            description = "Environment variable holding an optional bearer token required by the HTTP API"
                    + " (default: ${DEFAULT-VALUE}).")
    String tokenEnv;

    private final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws InterruptedException {
        HostPort address = HostPort.parse("--bind", bind);
        if (streamThreads < 1) {
            throw new UserError("--stream-threads must be >= 1, was " + streamThreads);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (KafkaConnection connection = kafka.connectOnLocalPorts()) {
            AggregatorSettings settings = AggregatorSettings.defaults(connection.bootstrapServers())
                    .withClientProperties(connection.clientProperties())
                    .withApplicationId(applicationId)
                    .withStateDir(stateDir != null ? stateDir : LemHome.dir().resolve("aggregator").resolve("state"))
                    .withNativeLibraryDir(LemHome.nativeDir())
                    .withBind(address.host(), address.port())
                    .withNumStreamThreads(streamThreads)
                    .withTopics(kafka.topicName(), io.lem.events.kafka.LemTopics.DEAD_LETTERS);
            if (advertisedHost != null) {
                settings = settings.withAdvertisedHost(advertisedHost);
            }
            String token = System.getenv(tokenEnv);
            if (token != null && !token.isBlank()) {
                settings = settings.withBearerToken(token);
            }
            AggregatorApp app;
            try {
                app = AggregatorApp.start(settings);
            } catch (RuntimeException e) {
                throw new UserError("cannot start the aggregator: " + e.getMessage(), ExitCodes.FAILED);
            }
            Thread hook = new Thread(() -> {
                app.close();
                out.println("lem aggregator stopped.");
                out.flush();
                stop.countDown();
            }, "lem-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("lem aggregator serving " + app.httpUrl() + " (Kafka " + connection.bootstrapServers()
                    + (connection.embedded() != null ? ", embedded" : "") + ", application " + applicationId + ")");
            out.println("Try: lem results list. Ctrl-C stops it.");
            out.flush();
            Thread waiter = new Thread(() -> {
                try {
                    app.awaitStopped();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                stop.countDown();
            }, "lem-serve-watch");
            waiter.setDaemon(true);
            waiter.start();
            stop.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                return ExitCodes.OK; // Ctrl-C: the hook closes everything
            }
            app.close();
            if (app.failure().isPresent()) {
                throw new UserError("the aggregator stopped: " + app.failure().get().getMessage(), ExitCodes.FAILED);
            }
            return ExitCodes.OK;
        }
    }
}
