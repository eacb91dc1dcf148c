package io.lem.aggregator.topology;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.EventCodec;
import io.lem.api.event.EventFormatException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * Reads the raw events topic: decodes each record with the plugins-api codec, checks it against its key, and forwards
 * either the decoded event or a dead letter carrying the reason in header {@value LemTopology#ERROR_HEADER} and where
 * it came from in {@value LemTopology#SOURCE_HEADER}. Decoding here rather than in a deserializer keeps dead-letter
 * routing inside the Streams transaction under exactly-once.
 */
final class DecodeProcessor implements FixedKeyProcessor<String, byte[], Decoded> {
    private static final Logger log = LoggerFactory.getLogger(DecodeProcessor.class);

    private final EventCodec codec = new EventCodec();
    private final String experimentFilter;
    private final String keyPrefix;
    private final boolean deadLetters;
    private FixedKeyProcessorContext<String, Decoded> context;
    private long malformed;

    DecodeProcessor(AggregatorConfig config) {
        this.experimentFilter = config.experimentFilter();
        this.keyPrefix = experimentFilter == null ? null : experimentFilter + "/";
        this.deadLetters = config.deadLetterTopic() != null;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, Decoded> context) {
        this.context = context;
    }

    @Override
    public void process(FixedKeyRecord<String, byte[]> record) {
        String key = record.key();
        if (keyPrefix != null && (key == null || !key.startsWith(keyPrefix))) {
            return; // another experiment (a good record's key is always its experimentId/processIndex)
        }
        byte[] value = record.value();
        String problem;
        DecodeResult result = null;
        if (value == null) {
            problem = "record has no value (a tombstone); events are never deleted";
        } else {
            try {
                result = codec.decode(value);
                problem = EventChecks.problem(key, result);
            } catch (EventFormatException e) {
                problem = e.getMessage();
            } catch (RuntimeException e) {
                problem = "cannot decode: " + e;
            }
        }
        if (problem == null) {
            if (experimentFilter != null && !experimentFilter.equals(result.envelope().experimentId())) {
                return;
            }
            context.forward(record.withValue(Decoded.ok(result)));
            return;
        }
        deadLetter(record, problem);
    }

    private void deadLetter(FixedKeyRecord<String, byte[]> record, String problem) {
        malformed++;
        String source = context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("unknown");
        if (malformed <= 10 || malformed % 1000 == 0) {
            log.warn("malformed record #{} at {} (key {}){}: {}", malformed, source, record.key(),
                    deadLetters ? ", sent to the dead letters" : ", dropped", problem);
        }
        if (!deadLetters) {
            return;
        }
        Headers headers = new RecordHeaders(record.headers().toArray());
        headers.remove(LemTopology.ERROR_HEADER);
        headers.remove(LemTopology.SOURCE_HEADER);
        headers.add(LemTopology.ERROR_HEADER, problem.getBytes(StandardCharsets.UTF_8));
        headers.add(LemTopology.SOURCE_HEADER, source.getBytes(StandardCharsets.UTF_8));
        context.forward(record.withValue(Decoded.failed(problem, record.value())).withHeaders(headers));
    }
}
