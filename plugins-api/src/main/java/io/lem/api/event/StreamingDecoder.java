package io.lem.api.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast path of {@link EventCodec#decode(byte[])}: one streaming pass over the bytes straight into the event
 * record, for records that are well-formed in the ordinary way. It never decides that a record is malformed: at the
 * first thing out of the ordinary (a wrong JSON type, a missing required field, a duplicate field, trailing tokens,
 * any exception) it answers null and the codec decodes the record again along the tree-based path, which produces
 * the result or names the problem. So errors, coercion rules and edge cases stay exactly those of the tree path
 * ({@code StreamingDecoderEquivalenceTest} compares both over many mutations of every event type).
 */
final class StreamingDecoder {

    /** Index of each envelope field in {@link EventCodec#ENVELOPE_FIELDS} (v, type, eventId, experimentId, ...). */
    private static final Map<String, Integer> ENVELOPE_INDEX = envelopeIndex();
    private static final int TYPE = 1;

    /** Stands for an explicit JSON null among the values read. */
    private static final Object NULL = new Object();

    private static final int KIND_INT = 0;
    private static final int KIND_LONG = 1;
    private static final int KIND_DOUBLE = 2;
    private static final int KIND_BOOLEAN = 3;
    private static final int KIND_BOXED_INT = 4;
    private static final int KIND_BOXED_LONG = 5;
    private static final int KIND_BOXED_DOUBLE = 6;
    private static final int KIND_STRING = 7;
    private static final int KIND_NESTED = 8;

    /** How to build one event type: its components in constructor order, and the canonical constructor. */
    private record Layout(String[] names, int[] kinds, ObjectReader[] nested, Map<String, Integer> slots,
                          MethodHandle constructor) {
    }

    private final ObjectMapper mapper;
    private final Map<String, Layout> layouts = new HashMap<>();

    StreamingDecoder(ObjectMapper mapper, Map<String, Class<? extends LemEvent>> types) {
        this.mapper = mapper;
        for (Map.Entry<String, Class<? extends LemEvent>> type : types.entrySet()) {
            layouts.put(type.getKey(), layout(type.getValue()));
        }
    }

    /** The decoded record, or null when the tree-based path must decide. */
    DecodeResult tryDecode(byte[] bytes, int offset, int length) {
        try {
            return decode(bytes, offset, length);
        } catch (StackOverflowError e) {
            return null; // very deep nesting: the tree path reports it
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            return null; // the tree path reports it (or decodes what this path is too strict for)
        }
    }

    private DecodeResult decode(byte[] bytes, int offset, int length) throws Throwable {
        // envelope values by their index in ENVELOPE_FIELDS; the other fields in record order. Values are scalars
        // as String/Long/Double/Boolean, NULL, or a JsonNode
        Object[] envelopeValues = new Object[EventCodec.ENVELOPE_FIELDS.size()];
        String[] names = new String[16];
        Object[] values = new Object[16];
        int count = 0;
        try (JsonParser p = mapper.getFactory().createParser(bytes, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    return null;
                }
                String name = p.currentName();
                Object value = value(p, p.nextToken());
                if (value == null) {
                    return null;
                }
                Integer envelopeIndex = ENVELOPE_INDEX.get(name);
                if (envelopeIndex != null) {
                    if (envelopeValues[envelopeIndex] != null) {
                        return null; // duplicate: leave the tree's last-one-wins rule to the tree path
                    }
                    envelopeValues[envelopeIndex] = value;
                    continue;
                }
                for (int i = 0; i < count; i++) {
                    if (names[i].equals(name)) {
                        return null; // duplicate
                    }
                }
                if (count == names.length) {
                    names = Arrays.copyOf(names, count * 2);
                    values = Arrays.copyOf(values, count * 2);
                }
                names[count] = name;
                values[count++] = value;
            }
            if (p.nextToken() != null) {
                return null; // trailing content
            }
        }
        if (!(envelopeValues[TYPE] instanceof String type) || type.isBlank()) {
            return null;
        }
        Envelope envelope = envelope(envelopeValues);
        if (envelope == null) {
            return null;
        }
        Layout layout = layouts.get(type);
        if (layout == null) {
            return new DecodeResult.Unknown(type, envelope, new String(bytes, offset, length, StandardCharsets.UTF_8));
        }
        Object[] args = new Object[layout.names().length + 1];
        args[0] = envelope;
        boolean[] present = new boolean[args.length];
        List<String> unknown = null;
        for (int i = 0; i < count; i++) {
            String name = names[i];
            Integer slot = layout.slots().get(name);
            if (slot != null) {
                Object arg = convert(layout, slot, values[i]);
                if (arg == null && values[i] != NULL) {
                    return null;
                }
                args[slot + 1] = arg;
                present[slot + 1] = true;
            } else {
                if (unknown == null) {
                    unknown = new ArrayList<>(2);
                }
                unknown.add(name);
            }
        }
        for (int slot = 0; slot < layout.kinds().length; slot++) {
            int kind = layout.kinds()[slot];
            if (kind <= KIND_BOOLEAN && (!present[slot + 1] || args[slot + 1] == null)) {
                return null; // a primitive missing or null: the tree path names it
            }
        }
        LemEvent event = (LemEvent) (Object) layout.constructor().invokeExact(args);
        return new DecodeResult.Known(event, unknown == null ? List.of() : unknown);
    }

    /** The value at the parser's current token, or null for a token this path does not take. */
    private Object value(JsonParser p, JsonToken t) throws java.io.IOException {
        if (t == null) {
            return null;
        }
        switch (t) {
            case VALUE_STRING:
                return p.getText();
            case VALUE_NUMBER_INT:
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? null : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT:
                return p.getDoubleValue();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return NULL;
            case START_OBJECT:
            case START_ARRAY:
                JsonNode node = mapper.readTree(p);
                return node == null ? null : node;
            default:
                return null;
        }
    }

    /** The constructor argument for a component, or null (with a non-NULL value: this path does not take it). */
    private static Object convert(Layout layout, int slot, Object value) throws java.io.IOException {
        if (value == NULL) {
            return null;
        }
        switch (layout.kinds()[slot]) {
            case KIND_INT:
            case KIND_BOXED_INT:
                if (value instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                    return (int) (long) l;
                }
                return null;
            case KIND_LONG:
            case KIND_BOXED_LONG:
                return value instanceof Long ? value : null;
            case KIND_DOUBLE:
            case KIND_BOXED_DOUBLE:
                if (value instanceof Double) {
                    return value;
                }
                return value instanceof Long l ? (Object) (double) l : null;
            case KIND_BOOLEAN:
                return value instanceof Boolean ? value : null;
            case KIND_STRING:
                return value instanceof String ? value : null;
            default:
                if (value instanceof JsonNode node) {
                    return layout.nested()[slot].readValue(node);
                }
                return null;
        }
    }

    private static Envelope envelope(Object[] values) {
        Long v = integer(values[0], 1, Integer.MAX_VALUE);
        String eventId = text(values[2]);
        String experimentId = text(values[3]);
        Long processIndex = integer(values[4], LemEvent.LAUNCHER_PROCESS_INDEX, Integer.MAX_VALUE);
        Long seq = integer(values[5], 0, Long.MAX_VALUE);
        String host = text(values[6]);
        Long epoch = integer(values[7], Long.MIN_VALUE, Long.MAX_VALUE);
        Long mono = integer(values[8], Long.MIN_VALUE, Long.MAX_VALUE);
        if (v == null || eventId == null || experimentId == null || processIndex == null || seq == null
                || host == null || epoch == null || mono == null) {
            return null;
        }
        return new Envelope((int) (long) v, eventId, experimentId, (int) (long) processIndex, seq, host, epoch, mono);
    }

    private static Long integer(Object value, long min, long max) {
        return value instanceof Long l && l >= min && l <= max ? l : null;
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isBlank() ? s : null;
    }

    private Layout layout(Class<? extends LemEvent> type) {
        RecordComponent[] components = type.getRecordComponents();
        if (components.length == 0 || !components[0].getName().equals("envelope")) {
            throw new IllegalStateException(type + " must start with its envelope");
        }
        int n = components.length - 1;
        String[] names = new String[n];
        int[] kinds = new int[n];
        ObjectReader[] nested = new ObjectReader[n];
        Map<String, Integer> slots = new HashMap<>();
        Class<?>[] parameterTypes = new Class<?>[components.length];
        parameterTypes[0] = Envelope.class;
        for (int i = 0; i < n; i++) {
            RecordComponent c = components[i + 1];
            names[i] = c.getName();
            slots.put(c.getName(), i);
            parameterTypes[i + 1] = c.getType();
            kinds[i] = kind(c.getType());
            if (kinds[i] == KIND_NESTED) {
                nested[i] = mapper.readerFor(mapper.constructType(c.getGenericType()));
            }
        }
        try {
            // spread over one Object[] so that every type is called the same way, without per-call reflection
            MethodHandle constructor = MethodHandles.publicLookup()
                    .findConstructor(type, MethodType.methodType(void.class, parameterTypes))
                    .asSpreader(Object[].class, components.length)
                    .asType(MethodType.methodType(Object.class, Object[].class));
            return new Layout(names, kinds, nested, slots, constructor);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("no canonical constructor in " + type, e);
        }
    }

    private static Map<String, Integer> envelopeIndex() {
        Map<String, Integer> index = new HashMap<>();
        for (String field : EventCodec.ENVELOPE_FIELDS) {
            index.put(field, index.size());
        }
        if (index.get("type") != TYPE || index.get("v") != 0 || index.get("eventId") != 2
                || index.get("experimentId") != 3 || index.get("processIndex") != 4 || index.get("seq") != 5
                || index.get("host") != 6 || index.get("timeEpochNanos") != 7 || index.get("monoNanos") != 8) {
            throw new IllegalStateException("envelope fields changed: " + EventCodec.ENVELOPE_FIELDS);
        }
        return index;
    }

    private static int kind(Class<?> type) {
        if (type == int.class) {
            return KIND_INT;
        } else if (type == long.class) {
            return KIND_LONG;
        } else if (type == double.class) {
            return KIND_DOUBLE;
        } else if (type == boolean.class) {
            return KIND_BOOLEAN;
        } else if (type == Integer.class) {
            return KIND_BOXED_INT;
        } else if (type == Long.class) {
            return KIND_BOXED_LONG;
        } else if (type == Double.class) {
            return KIND_BOXED_DOUBLE;
        } else if (type == String.class) {
            return KIND_STRING;
        } else if (type.isPrimitive()) {
            throw new IllegalStateException("event component of type " + type + " is not supported");
        }
        return KIND_NESTED;
    }
}
