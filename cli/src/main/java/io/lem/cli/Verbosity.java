package io.lem.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Logging is quiet (WARN) by default; {@code --verbose} turns on INFO everywhere and DEBUG for lem itself. */
final class Verbosity {
    private static volatile boolean verbose;

    private Verbosity() {
    }

    static void set(boolean on) {
        verbose = on;
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(on ? Level.INFO : Level.WARN);
        ((Logger) LoggerFactory.getLogger("io.lem")).setLevel(on ? Level.DEBUG : Level.WARN);
        // quiet by default, as logback.xml sets them: Kafka's clients on refused connections, DJL's CUDA probe
        for (String noisy : new String[]{"org.apache.kafka", "kafka", "ai.djl.util.cuda"}) {
            ((Logger) LoggerFactory.getLogger(noisy)).setLevel(on ? Level.INFO : Level.ERROR);
        }
    }

    static boolean verbose() {
        return verbose;
    }
}
