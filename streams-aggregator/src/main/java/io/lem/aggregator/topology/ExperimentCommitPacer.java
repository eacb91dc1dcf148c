package io.lem.aggregator.topology;

import io.lem.aggregator.model.ProcessSummary;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Passes process summaries read from the repartition topic on unchanged and asks for a commit once they stop coming
 * ({@link CommitPacing}), so that the end of a backlog or replay is committed at the experiment level too without
 * waiting for {@code commit.interval.ms}; at once when they arrive after the instance's event input has gone quiet
 * (the process level's last commit of a backlog, or a trickle of live events). Results in the store do not depend
 * on it.
 */
final class ExperimentCommitPacer implements FixedKeyProcessor<String, ProcessSummary, ProcessSummary> {
    private final EventActivity activity;
    private FixedKeyProcessorContext<String, ProcessSummary> context;
    private CommitPacing pacing;

    ExperimentCommitPacer(EventActivity activity) {
        this.activity = activity;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, ProcessSummary> context) {
        this.context = context;
        this.pacing = new CommitPacing(context, activity, false);
    }

    @Override
    public void process(FixedKeyRecord<String, ProcessSummary> record) {
        pacing.onRecord(record.timestamp());
        context.forward(record);
        pacing.commitIfInputQuiet();
    }
}
