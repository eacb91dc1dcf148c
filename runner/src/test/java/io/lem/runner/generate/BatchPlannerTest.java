package io.lem.runner.generate;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BatchPlannerTest {

    @Test
    void inOrderWithoutDynamicBatching() {
        List<int[]> plan = BatchPlanner.plan(new int[] {5, 1, 9, 2, 8}, 2, false);
        assertThat(plan).containsExactly(new int[] {0, 1}, new int[] {2, 3}, new int[] {4});
    }

    @Test
    void dynamicBatchingGroupsSimilarLengthsAndCutsPadding() {
        int[] lengths = {5, 1, 9, 2, 8, 1};
        List<int[]> plan = BatchPlanner.plan(lengths, 2, true);
        assertThat(plan).containsExactly(new int[] {1, 5}, new int[] {3, 0}, new int[] {4, 2});
        assertThat(BatchPlanner.paddedTokens(lengths, plan))
                .isLessThan(BatchPlanner.paddedTokens(lengths, BatchPlanner.plan(lengths, 2, false)));
    }
}
