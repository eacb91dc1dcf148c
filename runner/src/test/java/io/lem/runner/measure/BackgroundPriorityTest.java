package io.lem.runner.measure;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BackgroundPriorityTest {

    @Test
    void stepsComeFromTheEnvironmentWithADefault() {
        assertThat(BackgroundPriority.configuredSteps(Map.of())).isEqualTo(BackgroundPriority.DEFAULT_STEPS);
        assertThat(BackgroundPriority.configuredSteps(Map.of(BackgroundPriority.ENV, " "))).isEqualTo(10);
        assertThat(BackgroundPriority.configuredSteps(Map.of(BackgroundPriority.ENV, "0"))).isZero();
        assertThat(BackgroundPriority.configuredSteps(Map.of(BackgroundPriority.ENV, " 19 "))).isEqualTo(19);
        for (String bad : new String[] {"20", "-1", "ten", "1.5"}) {
            assertThatThrownBy(() -> BackgroundPriority.configuredSteps(Map.of(BackgroundPriority.ENV, bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("LEM_BACKGROUND_NICE: must be an integer from 0 (off) to 19 (nice steps below the"
                            + " runners), got '" + bad + "'");
        }
    }

    @Test
    void aLoweredThreadRunsStepsBelowItsCreatorAndWhatItStartsInherits() throws Exception {
        assumeTrue(BackgroundPriority.currentNice().isPresent(), "Linux /proc only");
        int base = BackgroundPriority.currentNice().getAsInt();
        assumeTrue(base <= 12, "this JVM already runs at nice " + base);
        AtomicInteger lowered = new AtomicInteger(Integer.MIN_VALUE);
        AtomicInteger child = new AtomicInteger(Integer.MIN_VALUE);
        AtomicInteger untouched = new AtomicInteger(Integer.MIN_VALUE);
        Thread thread = new Thread(() -> {
            assertThat(BackgroundPriority.lowerCurrentThread(0)).isTrue();
            untouched.set(BackgroundPriority.currentNice().getAsInt());
            assertThat(BackgroundPriority.lowerCurrentThread(7)).isTrue();
            lowered.set(BackgroundPriority.currentNice().getAsInt());
            Thread started = new Thread(() -> child.set(BackgroundPriority.currentNice().getAsInt()));
            started.start();
            join(started);
        });
        thread.start();
        thread.join();
        assertThat(untouched.get()).isEqualTo(base);
        assertThat(lowered.get()).isEqualTo(base + 7);
        assertThat(child.get()).isEqualTo(base + 7);
        // the caller's own priority is not touched
        assertThat(BackgroundPriority.currentNice().getAsInt()).isEqualTo(base);
    }

    @Test
    void loweringStopsAtTheLowestPriorityAndNeverRaises() throws Exception {
        assumeTrue(BackgroundPriority.currentNice().isPresent(), "Linux /proc only");
        AtomicInteger nice = new AtomicInteger(Integer.MIN_VALUE);
        Thread thread = new Thread(() -> {
            BackgroundPriority.lowerCurrentThread(15);
            BackgroundPriority.lowerCurrentThread(15);
            nice.set(BackgroundPriority.currentNice().getAsInt());
        });
        thread.start();
        thread.join();
        assertThat(nice.get()).isEqualTo(19);
        assertThatThrownBy(() -> BackgroundPriority.lowerCurrentThread(20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0-19");
    }

    @Test
    void callLoweredRunsTheWorkOnALoweredThreadAndReturnsWhatItReturned() throws Exception {
        assumeTrue(BackgroundPriority.currentNice().isPresent(), "Linux /proc only");
        int base = BackgroundPriority.currentNice().getAsInt();
        assumeTrue(base <= 9, "this JVM already runs at nice " + base);
        AtomicInteger child = new AtomicInteger(Integer.MIN_VALUE);
        String name = BackgroundPriority.callLowered("lem-test-lowered", BackgroundPriority.DEFAULT_STEPS, () -> {
            Thread started = new Thread(() -> child.set(BackgroundPriority.currentNice().getAsInt()));
            started.start();
            started.join();
            return Thread.currentThread().getName() + " at " + BackgroundPriority.currentNice().getAsInt();
        });
        assertThat(name).isEqualTo("lem-test-lowered at " + (base + BackgroundPriority.DEFAULT_STEPS));
        assertThat(child.get()).isEqualTo(base + BackgroundPriority.DEFAULT_STEPS);
    }

    @Test
    void callLoweredThrowsWhatTheWorkThrew() {
        IOException thrown = new IOException("disk gone");
        assertThatThrownBy(() -> BackgroundPriority.callLowered("lem-test-failing", 3, () -> {
            throw thrown;
        })).isSameAs(thrown);
        assertThatThrownBy(() -> BackgroundPriority.callLowered("lem-test-failing", 3, () -> {
            throw new StackOverflowError("deep");
        })).isInstanceOf(StackOverflowError.class).hasMessage("deep");
        assertThatThrownBy(() -> BackgroundPriority.callLowered("lem-test-failing", -1, () -> 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0-19");
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
