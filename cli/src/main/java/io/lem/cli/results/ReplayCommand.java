package io.lem.cli.results;

import io.lem.aggregator.http.PathCodec;
import io.lem.aggregator.http.ResultsClient;
import io.lem.cli.ExitCodes;
import io.lem.cli.kafka.KafkaOptions;
import io.lem.cli.serve.HostPort;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code lem replay}: recompute results from the event log into fresh stores. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Re-aggregate everything (or one experiment) from the event topic into fresh stores under a new",
                "application id (never a prefix of another), wait until it caught up with the topic, then serve the",
                "results from them until Ctrl-C (or print them and stop with --once). The replay's state is removed",
                "at the end unless --keep."})
public final class ReplayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--experiment", paramLabel = "EXP", description = "Only this experiment.")
    String experimentId;

    @Option(names = "--bind", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:0",
            description = "HTTP address of the replay's results (default: ${DEFAULT-VALUE}, a free port).")
    String bind;

    @Option(names = "--once", description = "Print the replayed results as JSON and stop.")
    boolean once;

    @Option(names = "--keep", description = "Keep the replay's stores, internal topics and group afterwards.")
    boolean keep;

    @Mixin
    KafkaOptions kafka;

    private final CountDownLatch stop = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        HostPort address = HostPort.parse("--bind", bind);
        PrintWriter out = spec.commandLine().getOut();
        try (TopicAggregation aggregation = TopicAggregation.run(kafka, experimentId, address.host(), address.port())) {
            if (keep) {
                aggregation.keep();
            }
            var replay = aggregation.replay();
            if (once) {
                ResultsClient client = new ResultsClient(replay.httpUrl(), null, Duration.ofSeconds(10));
                String path = experimentId == null ? "/experiments"
                        : "/experiments/" + PathCodec.encodeSegment(experimentId);
                ResultsClient.Response response = client.getPatiently(path, Duration.ofSeconds(30));
                out.println(ResultsCommand.JSON.writeValueAsString(response.json()));
                out.flush();
                return response.ok() ? ExitCodes.OK : ExitCodes.FAILED;
            }
            out.println("replay " + replay.applicationId() + " caught up with " + kafka.topicName() + "; serving "
                    + replay.httpUrl() + " (lem results list --aggregator-url " + replay.httpUrl() + "). Ctrl-C stops it.");
            out.flush();
            Thread hook = new Thread(stop::countDown, "lem-replay-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            stop.await();
            return ExitCodes.OK;
        }
    }
}
