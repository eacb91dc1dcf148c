package io.lem.aggregator.topology;

import io.lem.aggregator.model.ProcessSummary;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-memory summary cache: what it keeps, what it may drop, and when its commit hook runs. */
class ProcessSummaryCacheTest {

    private static LiveSummary live() {
        return new LiveSummary(new ProcessSummary(), null, 0);
    }

    @Test
    void dirtyKeysAreListedOnceInTheOrderTheyFirstChanged() {
        ProcessSummaryCache cache = new ProcessSummaryCache("c", 10);
        LiveSummary a = live();
        LiveSummary b = live();
        cache.put("a", a);
        cache.put("b", b);
        cache.markDirty("b", b);
        cache.markDirty("a", a);
        cache.markDirty("b", b);
        assertThat(cache.dirtyCount()).isEqualTo(2);
        assertThat(cache.drainDirty()).containsExactly("b", "a");
        assertThat(cache.drainDirty()).isEmpty();
    }

    @Test
    void theCommitHookRunsAtEveryCommitAndSeesWhatChanged() {
        ProcessSummaryCache cache = new ProcessSummaryCache("c", 10);
        AtomicInteger runs = new AtomicInteger();
        java.util.List<String> written = new java.util.ArrayList<>();
        cache.beforeCommit(() -> {
            runs.incrementAndGet();
            for (String key : cache.drainDirty()) {
                cache.get(key).dirty = false;
                written.add(key);
            }
        });
        cache.flushCache();
        assertThat(runs).hasValue(1);
        assertThat(written).isEmpty();
        LiveSummary a = live();
        cache.put("a", a);
        cache.markDirty("a", a);
        cache.flushCache();
        assertThat(runs).hasValue(2);
        assertThat(written).containsExactly("a");
        assertThat(a.dirty).isFalse();
        cache.flushCache();
        assertThat(written).containsExactly("a");
    }

    @Test
    void evictionDropsLeastRecentlyUsedCleanEntriesButNeverADirtyOne() {
        ProcessSummaryCache cache = new ProcessSummaryCache("c", 2);
        LiveSummary dirtyOldest = live();
        cache.put("old-dirty", dirtyOldest);
        cache.markDirty("old-dirty", dirtyOldest);
        cache.put("clean-1", live());
        cache.put("clean-2", live());
        cache.put("clean-3", live());
        cache.get("clean-1"); // used recently: kept over clean-2
        cache.evict();
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get("old-dirty")).isSameAs(dirtyOldest);
        assertThat(cache.get("clean-1")).isNotNull();
        assertThat(cache.get("clean-2")).isNull();
        assertThat(cache.get("clean-3")).isNull();
    }

    @Test
    void evictionStopsAtCapacityWhenEverythingIsDirty() {
        ProcessSummaryCache cache = new ProcessSummaryCache("c", 1);
        for (String key : new String[]{"a", "b", "c"}) {
            LiveSummary l = live();
            cache.put(key, l);
            cache.markDirty(key, l);
        }
        cache.evict();
        assertThat(cache.size()).isEqualTo(3);
    }

    @Test
    void aRestartingProcessorKeepsOnlyWhatTheStoreDoesNotHold() {
        ProcessSummaryCache cache = new ProcessSummaryCache("c", 10);
        LiveSummary changed = live();
        cache.put("changed", changed);
        cache.markDirty("changed", changed);
        cache.put("clean", live());
        cache.dropClean();
        assertThat(cache.get("clean")).isNull();
        assertThat(cache.get("changed")).isSameAs(changed);
    }

    @Test
    void closeAndClearCacheForgetEverything() {
        ProcessSummaryCache cache = new ProcessSummaryCache("c", 10);
        LiveSummary a = live();
        cache.put("a", a);
        cache.markDirty("a", a);
        cache.clearCache();
        assertThat(cache.size()).isZero();
        assertThat(cache.dirtyCount()).isZero();
        AtomicInteger runs = new AtomicInteger();
        cache.beforeCommit(runs::incrementAndGet);
        cache.put("b", live());
        cache.markDirty("b", cache.get("b"));
        cache.close();
        assertThat(cache.size()).isZero();
        cache.flushCache();
        assertThat(runs).hasValue(0);
        assertThat(cache.isOpen()).isFalse();
        assertThat(cache.persistent()).isFalse();
    }
}
