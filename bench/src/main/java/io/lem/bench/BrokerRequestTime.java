package io.lem.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Time the embedded broker's request handlers spent per request type (its {@code RequestMetrics} {@code LocalTimeMs}
 * histograms, read over JMX in this JVM), so that a pass can say which of its requests the broker's CPU went to.
 * Count times mean of a Yammer histogram is its exact sum.
 */
record BrokerRequestTime(Map<String, double[]> countAndMillis) {

    private static final String PATTERN = "kafka.network:type=RequestMetrics,name=LocalTimeMs,request=*";

    static BrokerRequestTime take() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Map<String, double[]> m = new HashMap<>();
        try {
            for (ObjectName name : server.queryNames(new ObjectName(PATTERN), null)) {
                long count = ((Number) server.getAttribute(name, "Count")).longValue();
                double mean = ((Number) server.getAttribute(name, "Mean")).doubleValue();
                m.put(name.getKeyProperty("request"), new double[] {count, count * mean});
            }
        } catch (JMException e) {
            throw new IllegalStateException("cannot read the broker's request metrics: " + e.getMessage(), e);
        }
        return new BrokerRequestTime(m);
    }

    /** "Type n requests x ms" for the {@code top} request types by handler time since {@code before}. */
    String since(BrokerRequestTime before, int top) {
        List<Map.Entry<String, double[]>> rows = new ArrayList<>();
        countAndMillis.forEach((type, now) -> {
            double[] then = before.countAndMillis.getOrDefault(type, new double[2]);
            double[] d = {now[0] - then[0], now[1] - then[1]};
            if (d[0] > 0) {
                rows.add(Map.entry(type, d));
            }
        });
        rows.sort((x, y) -> Double.compare(y.getValue()[1], x.getValue()[1]));
        double total = rows.stream().mapToDouble(r -> r.getValue()[1]).sum();
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%.0f ms in all:", total));
        for (Map.Entry<String, double[]> r : rows.subList(0, Math.min(top, rows.size()))) {
            b.append(String.format(Locale.ROOT, " %s %,.0f requests %.0f ms;", r.getKey(), r.getValue()[0],
                    r.getValue()[1]));
        }
        return b.toString();
    }
}
