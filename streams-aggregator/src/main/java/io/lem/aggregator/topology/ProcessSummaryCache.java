package io.lem.aggregator.topology;

import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoded process summaries held in memory in front of the process store, one instance per task, and the hook that
 * writes them through before every commit.
 *
 * <p>Why a state store: Kafka Streams calls {@link #flushCache()} on every registered store of a task right before
 * the task commits (interval commits, rebalances, clean shutdown: {@code StreamTask.flush()}), and before it flushes
 * the producer of the exactly-once transaction. That is the one place where writing the changed summaries to the
 * store and forwarding them downstream lands them in the same transaction as the input offsets they reflect. It is
 * how Streams' own record cache works; this one holds objects instead of bytes, so an event costs a fold, not a
 * decode and an encode of the summary. {@link CachedStateStore} is a Streams-internal interface (pinned Kafka
 * version; the topology tests and the crash-recovery test fail if its contract changes).
 *
 * <p>Not a key-value store on purpose: the processor gets this object itself from its context (no read-write
 * decorator), while interactive queries read the process store, i.e. what was committed or is being committed.
 * Not logged and not persistent: after a restart, a rebalance or an aborted transaction the entries are gone and are
 * read again from the (restored) process store. Entries that are not dirty are evicted beyond {@link #capacity}.
 */
final class ProcessSummaryCache implements StateStore, CachedStateStore<Object, Object> {
    private final String name;
    private final int capacity;
    /** Access order: the least recently used entries come first and are evicted first. */
    private final LinkedHashMap<String, LiveSummary> entries = new LinkedHashMap<>(64, 0.75f, true);
    /** Keys changed since the last commit, in the order they first changed. */
    private final List<String> dirty = new ArrayList<>();
    private Runnable beforeCommit;
    private boolean open;

    ProcessSummaryCache(String name, int capacity) {
        this.name = name;
        this.capacity = capacity;
    }

    LiveSummary get(String key) {
        return entries.get(key);
    }

    void put(String key, LiveSummary live) {
        entries.put(key, live);
    }

    /** Notes that {@code live} (held under {@code key}) changed; written and forwarded at the next commit. */
    void markDirty(String key, LiveSummary live) {
        if (!live.dirty) {
            live.dirty = true;
            dirty.add(key);
        }
    }

    /** The keys changed since the last commit, oldest change first; the list is emptied. */
    List<String> drainDirty() {
        List<String> out = new ArrayList<>(dirty);
        dirty.clear();
        return out;
    }

    int size() {
        return entries.size();
    }

    int dirtyCount() {
        return dirty.size();
    }

    /** Called (on the stream thread) right before every commit of the task. */
    void beforeCommit(Runnable hook) {
        this.beforeCommit = hook;
    }

    /**
     * Drops every entry that holds nothing the store lacks (a processor (re)starting must not trust objects that
     * another life of the task left behind).
     */
    void dropClean() {
        entries.values().removeIf(live -> !live.dirty);
    }

    /** Evicts clean entries, least recently used first, down to the capacity. */
    void evict() {
        Iterator<Map.Entry<String, LiveSummary>> it = entries.entrySet().iterator();
        while (entries.size() > capacity && it.hasNext()) {
            if (!it.next().getValue().dirty) {
                it.remove();
            }
        }
    }

    @Override
    public void flushCache() {
        if (beforeCommit != null) {
            beforeCommit.run(); // also when nothing changed: the processor learns that a commit happened
        }
    }

    @Override
    public void clearCache() {
        clear();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    private void clear() {
        entries.clear();
        dirty.clear();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        clear();
        context.register(root, (key, value) -> {
            // no changelog: nothing to restore
        });
        open = true;
    }

    @Override
    public void close() {
        clear();
        beforeCommit = null;
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds one cache per task; never logged, never Streams-cached. */
    static StoreBuilder<ProcessSummaryCache> builder(String name, int capacity) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<ProcessSummaryCache> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<ProcessSummaryCache> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<ProcessSummaryCache> withLoggingEnabled(Map<String, String> config) {
                throw new UnsupportedOperationException("the process summary cache is rebuilt from the process store");
            }

            @Override
            public StoreBuilder<ProcessSummaryCache> withLoggingDisabled() {
                return this;
            }

            @Override
            public ProcessSummaryCache build() {
                return new ProcessSummaryCache(name, capacity);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false;
            }

            @Override
            public String name() {
                return name;
            }
        };
    }
}
