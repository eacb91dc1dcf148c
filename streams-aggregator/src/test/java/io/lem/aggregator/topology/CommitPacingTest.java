package io.lem.aggregator.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.junit.jupiter.api.Test;

/** When {@link CommitPacing} asks Streams for a commit, on a mock context whose clock the test sets. */
class CommitPacingTest {
    private static final long T0 = 1_000_000L;
    private static final long OLD = T0 - 60_000; // a record this old means a backlog

    private final EventActivity activity = new EventActivity();

    private static MockProcessorContext<Object, Object> context(boolean caughtUpInterval) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "pacing-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
        if (caughtUpInterval) {
            p.put(LemTopology.CAUGHT_UP_COMMIT_INTERVAL_CONFIG, "100");
        }
        MockProcessorContext<Object, Object> context = new MockProcessorContext<>(p);
        context.setCurrentSystemTimeMs(T0);
        return context;
    }

    private static void punctuateAt(MockProcessorContext<Object, Object> context, long now) {
        context.setCurrentSystemTimeMs(now);
        for (CapturedPunctuator p : context.scheduledPunctuators()) {
            p.getPunctuator().punctuate(now);
        }
    }

    @Test
    void withoutACaughtUpIntervalItSchedulesAndAsksNothing() {
        MockProcessorContext<Object, Object> context = context(false);
        CommitPacing pacing = new CommitPacing(context, activity, false);
        pacing.onRecord(T0);
        pacing.commitIfInputQuiet();
        assertThat(context.scheduledPunctuators()).isEmpty();
        assertThat(context.committed()).isFalse();
    }

    @Test
    void aCaughtUpChangeIsCommittedAtTheFirstCheckHalfAnIntervalLater() {
        MockProcessorContext<Object, Object> context = context(true);
        CommitPacing pacing = new CommitPacing(context, activity, true);
        CapturedPunctuator check = context.scheduledPunctuators().get(0);
        assertThat(check.getInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(check.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);

        activity.onEvent(T0 + 10);
        context.setCurrentSystemTimeMs(T0 + 10);
        pacing.onRecord(T0 + 5); // fresh: caught up, and events keep coming
        punctuateAt(context, T0 + 40);
        assertThat(context.committed()).as("before half an interval since the last commit").isFalse();
        activity.onEvent(T0 + 55);
        punctuateAt(context, T0 + 60);
        assertThat(context.committed()).isTrue();

        context.resetCommit();
        punctuateAt(context, T0 + 200);
        assertThat(context.committed()).as("nothing new since").isFalse();
    }

    @Test
    void aBacklogIsCommittedOnlyOnceTheInstanceInputGoesQuiet() {
        MockProcessorContext<Object, Object> context = context(true);
        CommitPacing pacing = new CommitPacing(context, activity, true);
        activity.onEvent(T0 + 90);
        context.setCurrentSystemTimeMs(T0 + 90);
        pacing.onRecord(OLD);
        assertThat(pacing.caughtUp()).isFalse();
        punctuateAt(context, T0 + 100);
        assertThat(context.committed()).as("a backlog still arriving waits for commit.interval.ms").isFalse();
        punctuateAt(context, T0 + 140); // 50 ms without an event
        assertThat(context.committed()).isTrue();
    }

    @Test
    void theExperimentLevelCommitsAtOnceWhenTheEventInputIsAlreadyQuiet() {
        MockProcessorContext<Object, Object> context = context(true);
        CommitPacing pacing = new CommitPacing(context, activity, false);

        // events still arriving: the summaries of a commit in mid-backlog wait for the checks
        activity.onEvent(T0 - 10);
        pacing.onRecord(OLD);
        pacing.commitIfInputQuiet();
        assertThat(context.committed()).isFalse();

        // the process level's last commit of a backlog: its summaries arrive after the input went quiet
        context.setCurrentSystemTimeMs(T0 + 60);
        pacing.onRecord(OLD);
        pacing.commitIfInputQuiet();
        assertThat(context.committed()).isTrue();

        // asked once: the rest of the same burst rides on that commit
        context.resetCommit();
        pacing.commitIfInputQuiet();
        assertThat(context.committed()).isFalse();
        punctuateAt(context, T0 + 100);
        assertThat(context.committed()).as("nothing arrived since").isFalse();
    }
}
