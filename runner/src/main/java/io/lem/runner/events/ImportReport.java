package io.lem.runner.events;

import java.nio.file.Path;
import java.util.List;

/**
 * What an import did. {@code eventsRead == sent + alreadyPresent + failed}.
 *
 * @param files          the files read
 * @param eventsRead     well-formed events read (unknown future types included: they are imported as written)
 * @param sent           events sent to Kafka and acknowledged
 * @param alreadyPresent events whose (key, seq) was already in the topic, or earlier in the same import
 * @param failed         events Kafka did not acknowledge; importing again retries them
 * @param malformed      lines that are not events, each as {@code file:line: reason}
 * @param errors         the send errors behind {@code failed}, deduplicated
 */
public record ImportReport(List<Path> files, long eventsRead, long sent, long alreadyPresent, long failed,
                           List<String> malformed, List<String> errors) {

    public ImportReport {
        files = List.copyOf(files);
        malformed = List.copyOf(malformed);
        errors = List.copyOf(errors);
    }

    /** True when every event read is now in the topic. Malformed lines do not count against it. */
    public boolean complete() {
        return failed == 0;
    }
}
