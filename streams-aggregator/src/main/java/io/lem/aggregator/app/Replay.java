package io.lem.aggregator.app;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Re-aggregates the event log into fresh stores: an {@link AggregatorApp} under a new application id
 * ({@link ApplicationIds#newReplayId()}), which as a new consumer group reads the events topic from its earliest
 * offset, optionally only one experiment.
 *
 * <pre>{@code
 * try (Replay replay = Replay.start(settings.withBind("127.0.0.1", 0), "exp-42")) {
 *     replay.awaitCaughtUp(Duration.ofMinutes(5));
 *     ... GET replay.httpUrl() + "/experiments/exp-42" ...
 * } // then, to leave nothing behind on the cluster: Replay.deleteKafkaState(settings, replay.applicationId())
 * }</pre>
 *
 * <p>"Caught up" is a real condition: the end offsets of the events topic are captured before the replay starts; the
 * replay has caught up when its group's committed offsets reach them on every partition, and, in the same check, every
 * repartition topic of the replay is consumed to its current end (so the experiment summaries downstream of the
 * re-keying are complete too). Events written after the start are aggregated as well but not waited for.
 */
public final class Replay implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Replay.class);
    private static final long POLL_MILLIS = 100;
    private static final int ID_ATTEMPTS = 5;

    private final AggregatorApp app;
    private final Map<TopicPartition, Long> targets;

    private Replay(AggregatorApp app, Map<TopicPartition, Long> targets) {
        this.app = app;
        this.targets = Map.copyOf(targets);
    }

    /**
     * Starts a replay.
     *
     * @param base         settings of the live aggregator (cluster, topics, state dir, HTTP bind); the application id
     *                     is replaced by a fresh replay id
     * @param experimentId only this experiment, or null for all
     */
    public static Replay start(AggregatorSettings base, String experimentId) {
        String id;
        Map<TopicPartition, Long> targets;
        try (Admin admin = Admin.create(AggregatorApp.adminConfig(base))) {
            id = freshId(admin);
            Duration timeout = base.startTimeout();
            KafkaTopics.ensure(admin, base.eventsTopic(), base.topicPartitions(), base.replicationFactor(), timeout);
            try (GroupProgress progress = new GroupProgress(admin, AggregatorApp.clientConfig(base), timeout)) {
                targets = progress.endOffsets(progress.partitions(base.eventsTopic()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AggregatorException("interrupted while preparing a replay", e);
        }
        LOG.info("replay {} of {} up to offsets {}", id, experimentId == null ? "all experiments"
                : "experiment " + experimentId, targets);
        AggregatorApp app = AggregatorApp.start(base.withApplicationId(id).withExperimentFilter(experimentId));
        return new Replay(app, targets);
    }

    public String applicationId() {
        return app.applicationId();
    }

    public AggregatorApp app() {
        return app;
    }

    public URI httpUrl() {
        return app.httpUrl();
    }

    /** The events-topic end offsets captured at the start: what {@link #awaitCaughtUp} waits for. */
    public Map<TopicPartition, Long> targetOffsets() {
        return targets;
    }

    /**
     * Waits until the replay has consumed the events topic up to {@link #targetOffsets()} and its repartition topics
     * up to their ends.
     *
     * @throws AggregatorException when the timeout passes (naming the partitions still behind) or Streams fails
     */
    public void awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, String> behind = Map.of();
        while (System.nanoTime() - deadline < 0) {
            KafkaStreams.State state = app.state();
            if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.NOT_RUNNING
                    || state == KafkaStreams.State.PENDING_ERROR) {
                throw new AggregatorException("replay " + applicationId() + " stopped: " + state);
            }
            behind = behind();
            if (behind.isEmpty()) {
                LOG.info("replay {} caught up", applicationId());
                return;
            }
            Thread.sleep(POLL_MILLIS);
        }
        throw new AggregatorException("replay " + applicationId() + " not caught up within " + timeout.toMillis()
                + " ms; behind: " + behind);
    }

    /** Whether {@link #awaitCaughtUp} would return now. */
    public boolean isCaughtUp() throws InterruptedException {
        return behind().isEmpty();
    }

    private Map<TopicPartition, String> behind() throws InterruptedException {
        return consumedUpTo(app.progress(), applicationId(), targets);
    }

    /**
     * The partitions on which group {@code applicationId} has not yet consumed up to {@code eventTargets} (events
     * topic) or, checked only once those are reached, up to the current end of its repartition topics.
     */
    public static Map<TopicPartition, String> consumedUpTo(GroupProgress progress, String applicationId,
                                                           Map<TopicPartition, Long> eventTargets)
            throws InterruptedException {
        Map<TopicPartition, String> behind = progress.behind(applicationId, eventTargets);
        if (!behind.isEmpty()) {
            return behind;
        }
        // The transaction that committed the last event offsets also wrote repartition records, but its commit
        // markers reach the repartition partitions after the offsets are visible: until then their last stable
        // offset stops short of those records. The high watermark read now includes them (and maybe records of a
        // newer transaction); what lies between the group's commits and it must be read to count as consumed.
        Set<String> repartition = progress.repartitionTopics(applicationId);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : repartition) {
            partitions.addAll(progress.partitions(topic));
        }
        return progress.behind(applicationId, progress.highWatermarks(partitions));
    }

    /** Stops the replay; its stores and topics stay (query them again by starting the same id, or delete them). */
    @Override
    public void close() {
        app.close();
    }

    /**
     * Stops the replay and removes everything it created: the local state ({@code <stateDir>/<replayId>}) and, on the
     * cluster, its internal topics and consumer group ({@link #deleteKafkaState}).
     */
    public void closeAndCleanUp() {
        app.close();
        app.streams().cleanUp(); // task directories; the application directory itself stays
        Path dir = app.settings().stateDir().resolve(applicationId());
        try (Stream<Path> paths = Files.exists(dir) ? Files.walk(dir) : Stream.empty()) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warn("cannot delete the local state of replay {} in {}: {}", applicationId(), dir, e.toString());
        }
        deleteKafkaState(app.settings(), applicationId());
    }

    /**
     * Deletes what a finished replay left on the cluster: its internal topics ({@code <replayId>-*}) and its consumer
     * group. Only replay ids are accepted, which by {@link ApplicationIds}' rule are a prefix of no other application
     * id, so no other application's topics can match. The replay must be closed.
     */
    public static void deleteKafkaState(AggregatorSettings cluster, String replayId) {
        if (!ApplicationIds.isReplayId(replayId)) {
            throw new IllegalArgumentException("not a replay id: " + replayId);
        }
        try (Admin admin = Admin.create(AggregatorApp.adminConfig(cluster))) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                    .filter(t -> t.startsWith(replayId + "-")).collect(Collectors.toSet());
            if (!topics.isEmpty()) {
                admin.deleteTopics(topics).all().get(30, TimeUnit.SECONDS);
            }
            admin.deleteConsumerGroups(List.of(replayId)).all().get(30, TimeUnit.SECONDS);
            LOG.info("deleted replay {}: group and topics {}", replayId, topics);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AggregatorException("interrupted while deleting replay " + replayId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AggregatorException("cannot delete replay " + replayId + ": " + e.getMessage(), e);
        }
    }

    /** A replay id that no group on the cluster conflicts with by prefix. */
    private static String freshId(Admin admin) throws InterruptedException {
        List<String> groups;
        Set<String> topics;
        try {
            groups = admin.listGroups().all().get(30, TimeUnit.SECONDS).stream().map(GroupListing::groupId).toList();
            topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new AggregatorException("cannot list groups and topics to pick a replay id: " + e.getMessage(), e);
        }
        for (int i = 0; i < ID_ATTEMPTS; i++) {
            String id = ApplicationIds.newReplayId();
            boolean topicClash = topics.stream().anyMatch(t -> t.startsWith(id + "-"));
            if (ApplicationIds.conflicts(id, groups).isEmpty() && !topicClash) {
                return id;
            }
        }
        throw new AggregatorException("no conflict-free replay id after " + ID_ATTEMPTS + " attempts; groups: "
                + groups);
    }
}
