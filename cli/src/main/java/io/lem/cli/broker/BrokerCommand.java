package io.lem.cli.broker;

import io.lem.broker.BrokerSettings;
import io.lem.broker.EmbeddedKafka;
import io.lem.cli.ExitCodes;
import io.lem.cli.LemHome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code lem broker}: a real single-node KRaft Kafka in the foreground, for local use. */
@Command(name = "broker", mixinStandardHelpOptions = true,
        description = {"Run a single-node Kafka (KRaft, broker and controller in one process) in the foreground.",
                "Prints the bootstrap address when ready; Ctrl-C shuts it down cleanly. Data survives restarts."})
public final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Kafka data directory (default: ~/.lem/kafka, or $LEM_HOME/kafka).")
    Path dataDir;

    @Option(names = "--host", defaultValue = BrokerSettings.DEFAULT_HOST,
            description = "Address to bind and advertise (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "9092",
            description = "Client port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--controller-port", defaultValue = "9093",
            description = "KRaft controller port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int controllerPort;

    @Option(names = "--partitions", defaultValue = "6",
            description = "Default partitions of topics created without a count (default: ${DEFAULT-VALUE}).")
    int partitions;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile EmbeddedKafka kafka;

    @Override
    public Integer call() throws InterruptedException {
        BrokerSettings settings = BrokerSettings.defaults(dataDir != null ? dataDir : LemHome.kafkaDataDir())
                .withHost(host).withPort(port).withControllerPort(controllerPort).withPartitions(partitions);
        PrintWriter out = spec.commandLine().getOut();
        Thread hook = new Thread(this::stop, "lem-broker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            kafka = EmbeddedKafka.start(settings);
        } catch (RuntimeException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        if (stopped.getCount() == 0) {
            kafka.close(); // Ctrl-C arrived while starting
            return ExitCodes.INTERRUPTED;
        }
        out.println("Kafka broker ready at " + kafka.bootstrapServers() + " (cluster " + kafka.clusterId()
                + ", data " + kafka.dataDir() + ")");
        out.println("Use --bootstrap-servers " + kafka.bootstrapServers() + " with other lem commands. Ctrl-C stops it.");
        out.flush();
        stopped.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting through the hook; nothing to remove.
        }
        return ExitCodes.OK;
    }

    /** Shuts the broker down cleanly; called by the shutdown hook on Ctrl-C (and by tests). */
    void stop() {
        EmbeddedKafka running = kafka;
        if (running != null) {
            running.close();
            PrintWriter out = spec.commandLine().getOut();
            out.println("Kafka broker stopped.");
            out.flush();
        }
        stopped.countDown();
    }
}
