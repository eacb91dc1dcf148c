package io.lem.api.event;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one JSON codec for lem events. An event is a flat JSON object: the envelope fields, the {@code type}
 * discriminator and the type's own fields. Null fields are omitted (absent means "not measured", never 0).
 *
 * <p>Decoding tolerates the future: an unknown {@code type} becomes {@link DecodeResult.Unknown}, unknown fields are
 * listed in {@link DecodeResult.Known#unknownFields()}. Anything else that is wrong throws
 * {@link EventFormatException} naming the field. Thread-safe.
 */
public final class EventCodec {

    /** Envelope field names, in the order they are written. */
    public static final List<String> ENVELOPE_FIELDS =
            List.of("v", "type", "eventId", "experimentId", "processIndex", "seq", "host", "timeEpochNanos", "monoNanos");

    private static final Map<String, Class<? extends LemEvent>> TYPES = knownTypes();

    /** Field names of a type and those that must be present (primitives); reflection is too slow per event. */
    private record Shape(Set<String> fields, List<String> required) {
    }

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            Set<String> fields = new java.util.HashSet<>();
            List<String> required = new ArrayList<>();
            for (RecordComponent component : type.getRecordComponents()) {
                if (!component.getName().equals("envelope")) {
                    fields.add(component.getName());
                    if (component.getType().isPrimitive()) {
                        required.add(component.getName());
                    }
                }
            }
            return new Shape(Set.copyOf(fields), List.copyOf(required));
        }
    };

    // Shared by every codec of the JVM (configured once, then only used): Jackson builds a type's serializers and
    // deserializers on its first use per mapper, milliseconds each, so a codec made per sink or per run would build
    // them again inside a measured window.
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    /**
     * Reads a record or a line of a packed one as a tree: anything after the event is an error, not silently dropped
     * (only here: the streaming path reads nested values through {@link #MAPPER} mid-record).
     */
    private static final ObjectReader TREE_READER =
            MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Serializes an event's own fields: the same mapper, told that no event's {@code envelope} is a field. */
    private static final ObjectMapper WITHOUT_ENVELOPE = MAPPER.copy()
            .addMixIn(LemEvent.class, EnvelopeNotAField.class);

    @JsonIgnoreProperties("envelope")
    private abstract static class EnvelopeNotAField {
    }

    /**
     * One for the JVM, like {@link #MAPPER}: its constructor handles are called through non-constant call sites,
     * and the JDK compiles a handle invoked that way into code of its own after a hundred-odd calls. One decoder
     * per codec (an aggregator makes a codec per task) made each fresh task pay that compilation again for every
     * event type, on the thread it was being timed on.
     */
    private static final StreamingDecoder STREAMING = new StreamingDecoder(MAPPER, TYPES);

    /**
     * Where {@link #encode} writes, reused per thread: the result is copied out at its exact length, so an event
     * costs one array of its own size rather than a growing builder's blocks as well.
     */
    private static final ThreadLocal<ByteArrayOutputStream> ENCODE_BUFFER =
            ThreadLocal.withInitial(() -> new ByteArrayOutputStream(1024));

    /** All event type names this build knows. */
    public static Set<String> knownTypeNames() {
        return TYPES.keySet();
    }

    /**
     * The event as one JSON object: the envelope's fields first ({@link #ENVELOPE_FIELDS}, {@code type} second),
     * then the event's own fields in declaration order, nulls left out.
     *
     * <p>Written in one pass, without a tree: the envelope by a generator, the fields of the frequent types by the
     * same generator ({@link FrequentEventFields}), the others by Jackson's record serializer told to skip
     * {@code envelope}, spliced after it. Runners encode an event per decode step and per power sample,
     * and the tree path cost ~5x as much; {@link #encodeViaTree} is kept as the reference the tests compare with.
     */
    public byte[] encode(LemEvent event) {
        try {
            Envelope env = event.envelope();
            ByteArrayOutputStream out = ENCODE_BUFFER.get();
            out.reset();
            boolean written;
            try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
                g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT); // the object stays open for the fields
                g.writeStartObject();
                g.writeNumberField("v", env.v());
                g.writeStringField("type", event.type());
                g.writeStringField("eventId", env.eventId());
                g.writeStringField("experimentId", env.experimentId());
                g.writeNumberField("processIndex", env.processIndex());
                g.writeNumberField("seq", env.seq());
                g.writeStringField("host", env.host());
                g.writeNumberField("timeEpochNanos", env.timeEpochNanos());
                g.writeNumberField("monoNanos", env.monoNanos());
                written = FrequentEventFields.write(event, g);
                if (written) {
                    g.writeEndObject();
                }
            }
            if (written) {
                return out.toByteArray();
            }
            byte[] body = WITHOUT_ENVELOPE.writeValueAsBytes(event); // {"field":...} or {}
            if (body.length > 2) {
                out.write(',');
                out.write(body, 1, body.length - 1);                  // its fields and its closing brace
            } else {
                out.write('}');
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode " + event.type() + ": " + e.getMessage(), e);
        }
    }

    /** The former encoder, through a JSON tree: the reference {@link #encode} must equal, byte for byte. */
    byte[] encodeViaTree(LemEvent event) {
        try {
            return MAPPER.writeValueAsBytes(toTree(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event.type() + ": " + e.getOriginalMessage(), e);
        }
    }

    public String encodeToString(LemEvent event) {
        return new String(encode(event), StandardCharsets.UTF_8);
    }

    public DecodeResult decode(String json) throws EventFormatException {
        return decode(json.getBytes(StandardCharsets.UTF_8));
    }

    public DecodeResult decode(byte[] bytes) throws EventFormatException {
        return decode(bytes, 0, bytes == null ? 0 : bytes.length);
    }

    /**
     * Decodes the event in {@code bytes[offset, offset + length)}: one frame of a record value that holds several
     * ({@link EventFrames}).
     */
    public DecodeResult decode(byte[] bytes, int offset, int length) throws EventFormatException {
        if (bytes == null || length == 0) {
            throw new EventFormatException("malformed event: empty record");
        }
        DecodeResult fast = STREAMING.tryDecode(bytes, offset, length);
        return fast != null ? fast : decodeViaTrees(bytes, offset, length);
    }

    /** The streaming path alone: null where it leaves the record to {@link #decodeViaTrees}. For tests. */
    DecodeResult decodeStreaming(byte[] bytes) {
        return STREAMING.tryDecode(bytes, 0, bytes.length);
    }

    /**
     * The reference decoder: the record as a JSON tree, checked field by field and bound to the event record by
     * Jackson. Every record the streaming path declines comes here, so this path alone defines the errors.
     */
    DecodeResult decodeViaTrees(byte[] bytes) throws EventFormatException {
        return decodeViaTrees(bytes, 0, bytes == null ? 0 : bytes.length);
    }

    private DecodeResult decodeViaTrees(byte[] bytes, int offset, int length) throws EventFormatException {
        if (bytes == null || length == 0) {
            throw new EventFormatException("malformed event: empty record");
        }
        JsonNode root;
        try {
            root = TREE_READER.readTree(bytes, offset, length);
        } catch (IOException e) {
            throw new EventFormatException("malformed event: not valid JSON: " + oneLine(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new EventFormatException("malformed event: expected a JSON object, got "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        ObjectNode object = (ObjectNode) root;
        JsonNode typeNode = object.get("type");
        if (typeNode == null || !typeNode.isTextual() || typeNode.asText().isBlank()) {
            throw new EventFormatException("malformed event: field 'type' must be a non-empty string, was "
                    + describe(typeNode));
        }
        String type = typeNode.asText();
        Envelope envelope = readEnvelope(type, object);
        Class<? extends LemEvent> eventClass = TYPES.get(type);
        if (eventClass == null) {
            return new DecodeResult.Unknown(type, envelope, new String(bytes, offset, length, StandardCharsets.UTF_8));
        }
        return readKnown(type, eventClass, envelope, object);
    }

    /** Decodes and requires a known type; for callers that cannot do anything with unknown ones. */
    public LemEvent decodeKnown(byte[] bytes) throws EventFormatException {
        DecodeResult result = decode(bytes);
        if (result instanceof DecodeResult.Known known) {
            return known.event();
        }
        throw new EventFormatException("unknown event type '" + ((DecodeResult.Unknown) result).type()
                + "'; known types: " + String.join(", ", TYPES.keySet()));
    }

    private ObjectNode toTree(LemEvent event) {
        ObjectNode body = MAPPER.valueToTree(event);
        body.remove("envelope");
        Envelope env = event.envelope();
        ObjectNode out = MAPPER.createObjectNode();
        out.put("v", env.v());
        out.put("type", event.type());
        out.put("eventId", env.eventId());
        out.put("experimentId", env.experimentId());
        out.put("processIndex", env.processIndex());
        out.put("seq", env.seq());
        out.put("host", env.host());
        out.put("timeEpochNanos", env.timeEpochNanos());
        out.put("monoNanos", env.monoNanos());
        out.setAll(body);
        return out;
    }

    private Envelope readEnvelope(String type, ObjectNode object) throws EventFormatException {
        int v = (int) requireLong(type, object, "v", 1, Integer.MAX_VALUE);
        String eventId = requireText(type, object, "eventId");
        String experimentId = requireText(type, object, "experimentId");
        int processIndex = (int) requireLong(type, object, "processIndex", LemEvent.LAUNCHER_PROCESS_INDEX,
                Integer.MAX_VALUE);
        long seq = requireLong(type, object, "seq", 0, Long.MAX_VALUE);
        String host = requireText(type, object, "host");
        long epoch = requireLong(type, object, "timeEpochNanos", Long.MIN_VALUE, Long.MAX_VALUE);
        long mono = requireLong(type, object, "monoNanos", Long.MIN_VALUE, Long.MAX_VALUE);
        return new Envelope(v, eventId, experimentId, processIndex, seq, host, epoch, mono);
    }

    private DecodeResult readKnown(String type, Class<? extends LemEvent> eventClass, Envelope envelope,
                                   ObjectNode object) throws EventFormatException {
        Shape shape = SHAPES.get(eventClass);
        ObjectNode body = MAPPER.createObjectNode();
        List<String> unknown = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (shape.fields().contains(name)) {
                body.set(name, field.getValue());
            } else if (!ENVELOPE_FIELDS.contains(name)) {
                unknown.add(name);
            }
        }
        for (String required : shape.required()) {
            JsonNode value = body.get(required);
            if (value == null || value.isNull()) {
                throw new EventFormatException("malformed " + type + " event (" + envelope.key() + " seq "
                        + envelope.seq() + "): missing required field '" + required + "'");
            }
        }
        body.set("envelope", MAPPER.valueToTree(envelope));
        try {
            return new DecodeResult.Known(MAPPER.treeToValue(body, eventClass), unknown);
        } catch (MismatchedInputException e) {
            throw new EventFormatException("malformed " + type + " event (" + envelope.key() + " seq "
                    + envelope.seq() + "): field '" + path(e) + "': " + mismatch(e, body), e);
        } catch (IOException | IllegalArgumentException e) {
            throw new EventFormatException("malformed " + type + " event (" + envelope.key() + " seq "
                    + envelope.seq() + "): " + oneLine(e), e);
        }
    }

    private static long requireLong(String type, ObjectNode object, String field, long min, long max)
            throws EventFormatException {
        JsonNode node = object.get(field);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new EventFormatException("malformed " + type + " event: envelope field '" + field
                    + "' must be an integer, was " + describe(node));
        }
        long value = node.asLong();
        if (value < min || value > max) {
            throw new EventFormatException("malformed " + type + " event: envelope field '" + field + "' must be in ["
                    + min + ", " + max + "], was " + value);
        }
        return value;
    }

    private static String requireText(String type, ObjectNode object, String field) throws EventFormatException {
        JsonNode node = object.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw new EventFormatException("malformed " + type + " event: envelope field '" + field
                    + "' must be a non-empty string, was " + describe(node));
        }
        return node.asText();
    }

    private static String describe(JsonNode node) {
        if (node == null) {
            return "missing";
        }
        String text = node.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    /** "expected int, was \"4\"" rather than Jackson's advice about coercion configs. */
    private static String mismatch(MismatchedInputException e, JsonNode body) {
        JsonNode value = body;
        for (var ref : e.getPath()) {
            value = value == null ? null : ref.getFieldName() != null ? value.get(ref.getFieldName())
                    : value.get(ref.getIndex());
        }
        Class<?> target = e.getTargetType();
        if (target == null || value == null) {
            return e.getOriginalMessage().lines().findFirst().orElse("");
        }
        return "expected " + (target.isPrimitive() || target.getPackageName().equals("java.lang")
                ? target.getSimpleName().toLowerCase() : target.getSimpleName()) + ", was " + describe(value);
    }

    private static String oneLine(Exception e) {
        String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
        String location = e instanceof JsonProcessingException jpe && jpe.getLocation() != null
                ? " (line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr() + ")"
                : "";
        return (message == null ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("")) + location;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Class<? extends LemEvent>> knownTypes() {
        Map<String, Class<? extends LemEvent>> types = new LinkedHashMap<>();
        for (Class<?> c : LemEvent.class.getPermittedSubclasses()) {
            types.put(c.getSimpleName(), (Class<? extends LemEvent>) c);
        }
        return Collections.unmodifiableMap(types);
    }
}
