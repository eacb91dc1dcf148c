package io.lem.aggregator.topology;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.ProcessingContext;

import java.time.Duration;

/**
 * When a task asks Streams for a commit before {@code commit.interval.ms} is up. The application sets Streams'
 * interval long (it paces transactions through a backlog) and gives a short one in
 * {@link LemTopology#CAUGHT_UP_COMMIT_INTERVAL_CONFIG}; each task checks once per that interval and asks for a
 * commit of what is uncommitted when the input is caught up (its records are younger than {@link #CAUGHT_UP_LAG_MS}:
 * results stay fresh, a change waits about one interval) or has gone quiet: no event arrived at the instance for half
 * an interval (the end of a backlog or of a replay is committed at once rather than up to a second later, at both
 * levels).
 * Without that setting (e.g. in the topology test driver, which commits after every record) it does nothing. Only
 * <em>when</em> results become visible depends on the clock, never what they are.
 */
final class CommitPacing {
    /**
     * A record younger than this (wall clock minus record timestamp) means the input is caught up; generous, so that a
     * moment of overload does not switch a live aggregator to the backlog pace.
     */
    static final long CAUGHT_UP_LAG_MS = 5000;

    private final ProcessingContext context;
    private final EventActivity activity;
    private final boolean whenCaughtUp;
    private long intervalMs = -1;
    private boolean caughtUp;
    private boolean uncommitted;
    private long lastCommitMs;

    /**
     * @param activity     the instance's event input: quiet means no task of the instance got an event (one task
     *                     whose partition ran dry while the others work through a backlog is not quiet)
     * @param whenCaughtUp also commit while records keep coming if they are fresh (the process level, whose commits
     *                     make results visible); otherwise only once the input goes quiet
     */
    CommitPacing(ProcessingContext context, EventActivity activity, boolean whenCaughtUp) {
        this.context = context;
        this.activity = activity;
        this.whenCaughtUp = whenCaughtUp;
        long caughtUpMs = millis(context.appConfigs().get(LemTopology.CAUGHT_UP_COMMIT_INTERVAL_CONFIG));
        long streamsMs = millis(context.appConfigs().get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        lastCommitMs = context.currentSystemTimeMs();
        if (caughtUpMs > 0 && (streamsMs <= 0 || caughtUpMs < streamsMs)) {
            intervalMs = caughtUpMs;
            // checked once per interval, not more often: after every loop in which a punctuator ran, Streams halves
            // the records it processes per task before looking at its tasks again, and with a check every quarter
            // interval on each of a thread's tasks that kept the loop so short that its per-loop bookkeeping (state
            // updater, per-task checks) took about a tenth of the stream thread (aggregator bench, JFR)
            context.schedule(Duration.ofMillis(Math.max(5, caughtUpMs)), PunctuationType.WALL_CLOCK_TIME,
                    this::check);
        }
    }

    private static long millis(Object setting) {
        if (setting instanceof Number n) {
            return n.longValue();
        }
        return setting instanceof String text && !text.isBlank() ? Long.parseLong(text.trim()) : -1;
    }

    /** A record arrived with this timestamp. */
    void onRecord(long recordTimestamp) {
        long now = context.currentSystemTimeMs();
        uncommitted = true;
        caughtUp = now - recordTimestamp < CAUGHT_UP_LAG_MS;
    }

    /** A commit happened (or was asked for). */
    void onCommit() {
        uncommitted = false;
        lastCommitMs = context.currentSystemTimeMs();
    }

    /**
     * For a level fed only by the commits of another (the experiment level reads process summaries that become
     * visible when the process level commits): when the instance's event input is already quiet, nothing more is on
     * its way, so ask for the commit now rather than at the next check, up to an interval later.
     */
    void commitIfInputQuiet() {
        if (intervalMs > 0 && uncommitted && activity.quietFor(context.currentSystemTimeMs(), intervalMs / 2)) {
            context.commit();
            onCommit();
        }
    }

    boolean caughtUp() {
        return caughtUp;
    }

    /**
     * Runs once per interval. Half an interval is the bar for both "a commit is due" and "quiet", since the checks
     * themselves are an interval apart: a change waits at most about one interval for its commit, and the end of a
     * backlog is committed half an interval to an interval and a half after its last event.
     */
    private void check(long now) {
        long half = intervalMs / 2;
        if (intervalMs > 0 && uncommitted && now - lastCommitMs >= half
                && (whenCaughtUp && caughtUp || activity.quietFor(now, half))) {
            context.commit();
            onCommit(); // the commit follows in this loop of the stream thread
        }
    }
}
