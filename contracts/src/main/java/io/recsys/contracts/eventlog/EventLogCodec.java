package io.recsys.contracts.eventlog;

import com.google.protobuf.Timestamp;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventContext;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The layout of one entry of the event log (a Redis Stream): flat string fields, readable with {@code redis-cli XRANGE}
 * and from Python without generated code. Written by the ingestion-service, read by the feature-service and the
 * python-worker; documented in docs/event-log.md.
 */
public final class EventLogCodec {

    public static final String SCHEMA_VERSION = "1";

    static final String KIND = "kind";
    static final String VERSION = "v";
    static final String INGESTED_AT = "ingested";
    static final String TIMESTAMP = "ts";
    static final String ITEM = "item";
    private static final String KIND_EVENT = "event";
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
    public sealed interface Entry permits LoggedEvent, LoggedItem, Unknown {}

    public record LoggedEvent(Event event, Instant ingestedAt) implements Entry {}

    public record LoggedItem(Item item, Instant ingestedAt) implements Entry {}

    /** An entry of a kind or version this reader does not know; skipped, never guessed at. */
    public record Unknown(String kind, String version) implements Entry {}

    /** The event must be valid; a missing occurred_at is taken as {@code ingestedAt}. */
    public static Map<String, String> encode(Event event, Instant ingestedAt) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(KIND, KIND_EVENT);
        fields.put(VERSION, SCHEMA_VERSION);
        fields.put(EVENT_ID, event.getEventId());
        fields.put(USER, event.getUserId());
        fields.put(ITEM, event.getItemId());
        fields.put(TYPE, EventTypeNames.nameOf(event.getType()));
        if (!event.getCustomType().isEmpty()) {
            fields.put(CUSTOM_TYPE, event.getCustomType());
        }
        if (event.hasValue()) {
            fields.put(VALUE, Double.toString(event.getValue()));
        }
        if (event.hasQuantity()) {
            fields.put(QUANTITY, Integer.toString(event.getQuantity()));
        }
        Instant occurredAt = event.hasOccurredAt() ? toInstant(event.getOccurredAt()) : ingestedAt;
        fields.put(TIMESTAMP, Long.toString(occurredAt.toEpochMilli()));
        fields.put(INGESTED_AT, Long.toString(ingestedAt.toEpochMilli()));
        EventContext context = event.getContext();
        putIfNotEmpty(fields, SESSION, context.getSessionId());
        putIfNotEmpty(fields, DEVICE, context.getDevice());
        putIfNotEmpty(fields, PAGE, context.getPage());
        context.getAttributesMap().forEach((k, v) -> fields.put(CONTEXT_ATTRIBUTE + k, v));
        return fields;
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
            case KIND_EVENT -> new LoggedEvent(decodeEvent(fields), ingestedAt);
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
