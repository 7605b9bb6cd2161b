package io.recsys.contracts.eventlog;

import com.google.protobuf.Timestamp;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of one entry of the event log (a Redis Stream of one partition, {@link EventLogPartitions}): flat string
 * fields, readable with {@code redis-cli XRANGE} and from Python without generated code. A batch of events is one entry
 * (one line of text per event); a catalog upsert is one entry. Written by the ingestion-service, read by the
 * feature-service and the python-worker; documented in docs/event-log.md.
 */
public final class EventLogCodec {

    public static final String SCHEMA_VERSION = "1";

    static final String KIND = "kind";
    static final String VERSION = "v";
    static final String INGESTED_AT = "ingested";
    static final String TIMESTAMP = "ts";
    static final String ITEM = "item";
    static final String COUNT = "n";
    static final String DATA = "data";
    /**
     * Optional in any entry: the W3C {@code traceparent} of the request that appended it, so that applying it continues
     * that trace. Readers that do not trace ignore it.
     */
    public static final String TRACE_PARENT = "tp";

    static final char FIELD_SEPARATOR = '\t';
    static final char RECORD_SEPARATOR = '\n';
    private static final String KIND_EVENTS = "events";
    private static final String KIND_ITEM = "item";
    private static final String EVENT_ID = "id";
    private static final String USER = "user";
    private static final String TYPE = "type";
    private static final String CUSTOM_TYPE = "ctype";
    private static final String VALUE = "value";
    private static final String QUANTITY = "qty";
    private static final String SESSION = "session";
    private static final String DEVICE = "device";
    private static final String PAGE = "page";
    private static final String CONTEXT_ATTRIBUTE = "ctx.";
    private static final String TITLE = "title";
    private static final String CATEGORY = "category";
    private static final String PRICE = "price";
    private static final String CURRENCY = "currency";
    private static final String AVAILABLE = "available";
    private static final String ITEM_ATTRIBUTE = "attr.";

    private EventLogCodec() {}

    /** A decoded log entry. */
    public sealed interface Entry permits LoggedEvents, LoggedItem, Unknown {}

    /** A batch of events appended together (in the order given), all from users of the entry's partition. */
    public record LoggedEvents(List<Event> events, Instant ingestedAt) implements Entry {}

    public record LoggedItem(Item item, Instant ingestedAt) implements Entry {}

    /** An entry of a kind or version this reader does not know; skipped, never guessed at. */
    public record Unknown(String kind, String version) implements Entry {}

    /**
     * The fields of a log entry holding {@code events}; the ingestion-service's append script builds the same fields
     * from {@link #record} lines (eventlog/append-events.lua).
     */
    public static Map<String, String> encodeEvents(List<Event> events, Instant ingestedAt) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(KIND, KIND_EVENTS);
        fields.put(VERSION, SCHEMA_VERSION);
        fields.put(COUNT, Integer.toString(events.size()));
        fields.put(INGESTED_AT, Long.toString(ingestedAt.toEpochMilli()));
        StringBuilder data = new StringBuilder(events.size() * 100);
        for (Event event : events) {
            if (!data.isEmpty()) {
                data.append(RECORD_SEPARATOR);
            }
            data.append(record(event, ingestedAt));
        }
        fields.put(DATA, data.toString());
        return fields;
    }

    /**
     * One event as a line of the {@code data} field: {@code name=value} pairs separated by tabs, values with backslash,
     * tab and newline escaped ({@code \\ \t \n}). The event must be valid; a missing occurred_at is taken as
     * {@code ingestedAt}.
     */
    public static String record(Event event, Instant ingestedAt) {
        StringBuilder line = new StringBuilder(96);
        pair(line, EVENT_ID, event.getEventId());
        pair(line, USER, event.getUserId());
        pair(line, ITEM, event.getItemId());
        pair(line, TYPE, EventTypeNames.nameOf(event.getType()));
        if (!event.getCustomType().isEmpty()) {
            pair(line, CUSTOM_TYPE, event.getCustomType());
        }
        if (event.hasValue()) {
            pair(line, VALUE, Double.toString(event.getValue()));
        }
        if (event.hasQuantity()) {
            pair(line, QUANTITY, Integer.toString(event.getQuantity()));
        }
        long occurredAt =
                event.hasOccurredAt() ? toInstant(event.getOccurredAt()).toEpochMilli() : ingestedAt.toEpochMilli();
        pair(line, TIMESTAMP, Long.toString(occurredAt));
        EventContext context = event.getContext();
        pairIfNotEmpty(line, SESSION, context.getSessionId());
        pairIfNotEmpty(line, DEVICE, context.getDevice());
        pairIfNotEmpty(line, PAGE, context.getPage());
        context.getAttributesMap().forEach((k, v) -> pair(line, CONTEXT_ATTRIBUTE + k, v));
        return line.toString();
    }

    private static void pairIfNotEmpty(StringBuilder line, String name, String value) {
        if (!value.isEmpty()) {
            pair(line, name, value);
        }
    }

    private static void pair(StringBuilder line, String name, String value) {
        if (!line.isEmpty()) {
            line.append(FIELD_SEPARATOR);
        }
        line.append(name).append('=');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case FIELD_SEPARATOR -> line.append("\\t");
                case RECORD_SEPARATOR -> line.append("\\n");
                default -> line.append(c);
            }
        }
    }

    private static List<Event> decodeRecords(String data, int expected) {
        if (expected == 0) {
            return List.of();
        }
        List<Event> events = new ArrayList<>(expected);
        Map<String, String> fields = new HashMap<>();
        int start = 0;
        while (start <= data.length()) {
            int end = data.indexOf(RECORD_SEPARATOR, start);
            if (end < 0) {
                end = data.length();
            }
            fields.clear();
            readPairs(data, start, end, fields);
            events.add(decodeEvent(fields));
            start = end + 1;
        }
        if (events.size() != expected) {
            throw new IllegalArgumentException("entry says " + expected + " events, holds " + events.size());
        }
        return events;
    }

    private static void readPairs(String data, int start, int end, Map<String, String> fields) {
        int at = start;
        while (at < end) {
            int next = data.indexOf(FIELD_SEPARATOR, at);
            if (next < 0 || next > end) {
                next = end;
            }
            int equals = data.indexOf('=', at);
            if (equals < 0 || equals > next) {
                throw new IllegalArgumentException("not a name=value pair: " + data.substring(at, next));
            }
            fields.put(data.substring(at, equals), unescape(data, equals + 1, next));
            at = next + 1;
        }
    }

    private static String unescape(String data, int start, int end) {
        int backslash = data.indexOf('\\', start);
        if (backslash < 0 || backslash >= end) {
            return data.substring(start, end);
        }
        StringBuilder value = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = data.charAt(i);
            if (c == '\\' && i + 1 < end) {
                char escaped = data.charAt(++i);
                value.append(
                        switch (escaped) {
                            case 't' -> FIELD_SEPARATOR;
                            case 'n' -> RECORD_SEPARATOR;
                            default -> escaped;
                        });
            } else {
                value.append(c);
            }
        }
        return value.toString();
    }

    public static Map<String, String> encode(Item item, Instant ingestedAt) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(KIND, KIND_ITEM);
        fields.put(VERSION, SCHEMA_VERSION);
        fields.put(ITEM, item.getItemId());
        putIfNotEmpty(fields, TITLE, item.getTitle());
        putIfNotEmpty(fields, CATEGORY, item.getCategory());
        if (item.hasPrice()) {
            fields.put(PRICE, Double.toString(item.getPrice()));
        }
        putIfNotEmpty(fields, CURRENCY, item.getCurrency());
        if (item.hasAvailable()) {
            fields.put(AVAILABLE, Boolean.toString(item.getAvailable()));
        }
        item.getAttributesMap().forEach((k, v) -> fields.put(ITEM_ATTRIBUTE + k, v));
        Instant updatedAt = item.hasUpdatedAt() ? toInstant(item.getUpdatedAt()) : ingestedAt;
        fields.put(TIMESTAMP, Long.toString(updatedAt.toEpochMilli()));
        fields.put(INGESTED_AT, Long.toString(ingestedAt.toEpochMilli()));
        return fields;
    }

    public static Entry decode(Map<String, String> fields) {
        String kind = fields.getOrDefault(KIND, "");
        String version = fields.getOrDefault(VERSION, "");
        if (!SCHEMA_VERSION.equals(version)) {
            return new Unknown(kind, version);
        }
        Instant ingestedAt = Instant.ofEpochMilli(Long.parseLong(fields.get(INGESTED_AT)));
        return switch (kind) {
            case KIND_EVENTS ->
                new LoggedEvents(
                        decodeRecords(fields.getOrDefault(DATA, ""), Integer.parseInt(fields.get(COUNT))), ingestedAt);
            case KIND_ITEM -> new LoggedItem(decodeItem(fields), ingestedAt);
            default -> new Unknown(kind, version);
        };
    }

    private static Event decodeEvent(Map<String, String> fields) {
        Event.Builder event = Event.newBuilder()
                .setEventId(fields.get(EVENT_ID))
                .setUserId(fields.get(USER))
                .setItemId(fields.get(ITEM))
                .setType(EventTypeNames.typeOf(fields.get(TYPE)).orElse(EventType.EVENT_TYPE_UNSPECIFIED))
                .setCustomType(fields.getOrDefault(CUSTOM_TYPE, ""))
                .setOccurredAt(toTimestamp(Instant.ofEpochMilli(Long.parseLong(fields.get(TIMESTAMP)))));
        if (fields.containsKey(VALUE)) {
            event.setValue(Double.parseDouble(fields.get(VALUE)));
        }
        if (fields.containsKey(QUANTITY)) {
            event.setQuantity(Integer.parseInt(fields.get(QUANTITY)));
        }
        EventContext.Builder context = EventContext.newBuilder()
                .setSessionId(fields.getOrDefault(SESSION, ""))
                .setDevice(fields.getOrDefault(DEVICE, ""))
                .setPage(fields.getOrDefault(PAGE, ""));
        fields.forEach((k, v) -> {
            if (k.startsWith(CONTEXT_ATTRIBUTE)) {
                context.putAttributes(k.substring(CONTEXT_ATTRIBUTE.length()), v);
            }
        });
        return event.setContext(context).build();
    }

    private static Item decodeItem(Map<String, String> fields) {
        Item.Builder item = Item.newBuilder()
                .setItemId(fields.get(ITEM))
                .setTitle(fields.getOrDefault(TITLE, ""))
                .setCategory(fields.getOrDefault(CATEGORY, ""))
                .setCurrency(fields.getOrDefault(CURRENCY, ""))
                .setUpdatedAt(toTimestamp(Instant.ofEpochMilli(Long.parseLong(fields.get(TIMESTAMP)))));
        if (fields.containsKey(PRICE)) {
            item.setPrice(Double.parseDouble(fields.get(PRICE)));
        }
        if (fields.containsKey(AVAILABLE)) {
            item.setAvailable(Boolean.parseBoolean(fields.get(AVAILABLE)));
        }
        fields.forEach((k, v) -> {
            if (k.startsWith(ITEM_ATTRIBUTE)) {
                item.putAttributes(k.substring(ITEM_ATTRIBUTE.length()), v);
            }
        });
        return item.build();
    }

    public static Instant toInstant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    public static Timestamp toTimestamp(Instant instant) {
        return Timestamp.newBuilder()
                .setSeconds(instant.getEpochSecond())
                .setNanos(instant.getNano())
                .build();
    }

    private static void putIfNotEmpty(Map<String, String> fields, String key, String value) {
        if (value != null && !value.isEmpty()) {
            fields.put(key, value);
        }
    }
}
