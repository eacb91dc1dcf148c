package io.lem.cli.results;

import io.lem.aggregator.app.AggregatorSettings;
import io.lem.aggregator.app.Replay;
import io.lem.cli.LemHome;
import io.lem.cli.kafka.KafkaConnection;
import io.lem.cli.kafka.KafkaOptions;

import java.time.Duration;

/**
 * A temporary aggregation of the event topic under a fresh replay application id (never a prefix of another id):
 * used by {@code lem replay} and by {@code lem aggregate} when no aggregator answers. Closing removes its state,
 * internal topics and group unless told to keep them.
 */
final class TopicAggregation implements AutoCloseable {

    static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(10);

    private final KafkaConnection connection;
    private final Replay replay;
    private boolean keep;

    private TopicAggregation(KafkaConnection connection, Replay replay) {
        this.connection = connection;
        this.replay = replay;
    }

    /** Starts the replay and waits until it has folded everything the topic held when it started. */
    static TopicAggregation run(KafkaOptions kafka, String experimentId, String bindHost, int bindPort)
            throws InterruptedException {
        KafkaConnection connection = kafka.connect();
        Replay replay = null;
        try {
            AggregatorSettings settings = AggregatorSettings.defaults(connection.bootstrapServers())
                    .withClientProperties(connection.clientProperties())
                    .withTopics(kafka.topicName(), io.lem.events.kafka.LemTopics.DEAD_LETTERS)
                    .withStateDir(LemHome.dir().resolve("aggregator").resolve("replays"))
                    .withNativeLibraryDir(LemHome.nativeDir())
                    .withBind(bindHost, bindPort);
            replay = Replay.start(settings, experimentId);
            replay.awaitCaughtUp(CATCH_UP_TIMEOUT);
            return new TopicAggregation(connection, replay);
        } catch (RuntimeException | InterruptedException e) {
            if (replay != null) {
                replay.closeAndCleanUp();
            }
            connection.close();
            throw e;
        }
    }

    Replay replay() {
        return replay;
    }

    void keep() {
        keep = true;
    }

    @Override
    public void close() {
        try {
            if (keep) {
                replay.close();
            } else {
                replay.closeAndCleanUp();
            }
        } finally {
            connection.close();
        }
    }
}
