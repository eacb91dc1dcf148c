package io.lem.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Collections and their accumulated time so far, over every collector of this JVM. G1's young pauses stop every Java
 * thread, the generation thread included, so a side that allocates more pays for it in its wall time.
 */
record GcTime(long collections, long millis) {

    static GcTime take() {
        long count = 0;
        long ms = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            ms += Math.max(0, gc.getCollectionTime());
        }
        return new GcTime(count, ms);
    }

    GcTime since(GcTime before) {
        return new GcTime(collections - before.collections, millis - before.millis);
    }
}
