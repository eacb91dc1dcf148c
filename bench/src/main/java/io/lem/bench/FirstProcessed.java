package io.lem.bench;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * When a Kafka Streams application first processed a record, found by polling its stream threads' {@code process-total}
 * over JMX every 2 ms from before it starts. A timing from the moment {@code KafkaStreams} reports RUNNING misses work:
 * each stream thread processes as soon as its own tasks are ready, and with two threads the first one can fold a third
 * of the input before the instance as a whole is RUNNING. The poller stops at the first record, so it costs nothing
 * while the application is being measured.
 */
final class FirstProcessed implements AutoCloseable {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final String threadIdPrefix;
    private final CountDownLatch seen = new CountDownLatch(1);
    private final Thread poller;
    private volatile boolean stop;
    private volatile ThreadCpu cpu;

    private FirstProcessed(String applicationId) {
        this.threadIdPrefix = applicationId + "-";
        this.poller = new Thread(this::poll, "lem-bench-first-processed");
        poller.setDaemon(true);
    }

    /** Starts watching the stream threads of {@code applicationId} (client ids {@code <applicationId>-<uuid>}). */
    static FirstProcessed watch(String applicationId) {
        FirstProcessed watch = new FirstProcessed(applicationId);
        watch.poller.start();
        return watch;
    }

    /** CPU and wall clock at the first processed record; waits for it up to {@code timeoutMillis}. */
    ThreadCpu awaitFirst(long timeoutMillis) throws InterruptedException {
        if (!seen.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("no stream thread of " + threadIdPrefix + "* processed a record within "
                    + timeoutMillis + " ms");
        }
        return cpu;
    }

    private void poll() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName pattern = new ObjectName("kafka.streams:type=stream-thread-metrics,*");
            while (!stop) {
                for (ObjectName name : server.queryNames(pattern, null)) {
                    String thread = name.getKeyProperty("thread-id");
                    if (thread != null && thread.startsWith(threadIdPrefix) && processed(server, name) > 0) {
                        cpu = ThreadCpu.take();
                        seen.countDown();
                        return;
                    }
                }
                TimeUnit.NANOSECONDS.sleep(POLL_NANOS); // polls the condition; no event to wait on
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (javax.management.JMException e) {
            throw new IllegalStateException("cannot read Kafka Streams' thread metrics over JMX: " + e, e);
        }
    }

    /** A thread's {@code process-total}; 0 while Streams has not registered it yet. */
    private static double processed(MBeanServer server, ObjectName thread) throws javax.management.JMException {
        try {
            return server.getAttribute(thread, "process-total") instanceof Double d ? d : 0;
        } catch (javax.management.AttributeNotFoundException | javax.management.InstanceNotFoundException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        stop = true;
        poller.interrupt();
    }
}
