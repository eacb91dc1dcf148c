package io.lem.cli.run;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ThreadLocalRandom;

/** Experiment ids {@code exp_YYYYMMDD_HHMMSS_xxxx} (UTC, four random hex digits against same-second clashes). */
final class ExperimentIds {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss");

    private ExperimentIds() {
    }

    static String next() {
        return "exp_" + ZonedDateTime.now(ZoneOffset.UTC).format(FORMAT) + "_"
                + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /** Ids become Kafka keys, file names and URL segments: keep them to a safe alphabet. */
    static boolean valid(String id) {
        return id.matches("[A-Za-z0-9._-]{1,200}");
    }
}
