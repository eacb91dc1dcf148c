package io.lem.cli.events;

import io.lem.api.event.LemEvent;
import io.lem.cli.ExitCodes;
import io.lem.cli.UserError;
import io.lem.cli.kafka.KafkaConnection;
import io.lem.cli.kafka.KafkaOptions;
import io.lem.runner.events.EventImporter;
import io.lem.runner.events.EventLogReport;
import io.lem.runner.events.EventLogVerifier;
import io.lem.runner.events.ImportReport;
import io.lem.runner.events.KeySummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** {@code lem events import|verify}: move recorded events into Kafka and prove the log is complete. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "The event log: import recorded or spooled events into Kafka, verify completeness.",
        synopsisSubcommandLabel = "COMMAND")
public final class EventsCommand {

    @Spec
    CommandSpec spec;

    @Command(name = "import", mixinStandardHelpOptions = true,
            description = {"Push JSONL event files or runner spools (files or directories) into Kafka.",
                    "Idempotent: an event whose key and seq are already in the topic is skipped.",
                    "Malformed lines are reported as file:line: reason and skipped; the rest is imported.",
                    "Exit 0 when everything was imported, 1 when Kafka did not take some events (import again to"
                            + " retry), 2 when some lines were malformed."})
    int importEvents(@Parameters(paramLabel = "FILE", arity = "1..*",
                             description = "JSONL files, spool files or directories of them.") List<Path> paths,
                     @Mixin KafkaOptions kafka) throws IOException, InterruptedException {
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw new UserError("no such file or directory: " + path);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ImportReport report;
        try (KafkaConnection connection = kafka.connect()) {
            report = new EventImporter(kafka.target(connection)).importPaths(paths);
        }
        report.malformed().forEach(err::println);
        report.errors().forEach(error -> err.println("send failed: " + error));
        out.printf("imported %d file(s) into %s: %d events read, %d sent, %d already present, %d failed%s%n",
                report.files().size(), kafka.topicName(), report.eventsRead(), report.sent(), report.alreadyPresent(),
                report.failed(), report.malformed().isEmpty() ? ""
                        : ", " + report.malformed().size() + " malformed line(s) skipped");
        out.flush();
        err.flush();
        if (!report.complete()) {
            return ExitCodes.FAILED;
        }
        return report.malformed().isEmpty() ? ExitCodes.OK : ExitCodes.INVALID_INPUT;
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Read the event topic from the beginning to its current end and report, per process,",
                    "the events, duplicates and missing seq ranges. Exit 0 when every process is complete and",
                    "exactly once, 1 otherwise."})
    int verify(@Option(names = "--experiment", paramLabel = "ID",
                       description = "Only this experiment.") String experimentId,
               @Mixin KafkaOptions kafka) throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        EventLogReport report;
        try (KafkaConnection connection = kafka.connect()) {
            EventLogVerifier verifier = new EventLogVerifier(kafka.target(connection));
            report = experimentId == null ? verifier.verify() : verifier.verify(experimentId);
        }
        if (report.keys().isEmpty()) {
            out.println("no events" + (experimentId == null ? "" : " of experiment " + experimentId) + " in "
                    + report.topic());
            out.flush();
            return ExitCodes.FAILED;
        }
        int width = Math.max(7, report.keys().keySet().stream().mapToInt(String::length).max().orElse(7));
        out.printf("%-" + width + "s  %10s  %10s  %10s  %s%n", "PROCESS", "EVENTS", "DUPLICATES", "LAST SEQ",
                "MISSING");
        for (KeySummary key : report.keys().values()) {
            long last = Math.max(key.highestSeq(), key.declaredLastSeq());
            String missing = key.missing().isEmpty() ? "-"
                    : key.missing().stream().map(Object::toString).collect(Collectors.joining(","));
            out.printf("%-" + width + "s  %10d  %10d  %10d  %s%s%n", key.key(), key.count(), key.duplicates(), last,
                    missing, key.key().endsWith("/" + LemEvent.LAUNCHER_PROCESS_INDEX) ? "  (launcher)"
                            : key.declaredLastSeq() < 0 ? "  (no ProcessCompleted/ProcessFailed yet)" : "");
        }
        long incomplete = report.keys().values().stream().filter(k -> !k.exact()).count();
        out.printf("%d event(s) in %d record(s), %d process(es): %s%s%s%n", report.events(), report.records(),
                report.keys().size(),
                incomplete == 0 ? "every process exactly once, no gaps" : incomplete + " with gaps or duplicates",
                report.malformed() == 0 ? "" : ", " + report.malformed() + " malformed",
                report.unknownTypes() == 0 ? "" : ", " + report.unknownTypes() + " of unknown types");
        out.flush();
        return report.exact() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
