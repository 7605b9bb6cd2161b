package io.recsys.contracts.eventlog;

import io.recsys.contracts.common.v1.EventType;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The public, lower-case names of event types ({@code view}, {@code add_to_cart}, ...), used in the JSON API, in the
 * event log and as feature keys, so that one spelling holds everywhere.
 */
public final class EventTypeNames {

    private static final Map<EventType, String> NAMES = Stream.of(EventType.values())
            .filter(t -> t != EventType.EVENT_TYPE_UNSPECIFIED && t != EventType.UNRECOGNIZED)
            .collect(Collectors.toUnmodifiableMap(
                    t -> t, t -> t.name().substring("EVENT_TYPE_".length()).toLowerCase(Locale.ROOT)));
    private static final Map<String, EventType> TYPES =
            NAMES.entrySet().stream().collect(Collectors.toUnmodifiableMap(Map.Entry::getValue, Map.Entry::getKey));

    private EventTypeNames() {}

    /** e.g. {@code add_to_cart}; custom events are named by their custom type when one is given. */
    public static String nameOf(EventType type, String customType) {
        if (type == EventType.EVENT_TYPE_CUSTOM && customType != null && !customType.isEmpty()) {
            return customType;
        }
        String name = NAMES.get(type);
        if (name == null) {
            throw new IllegalArgumentException("event type " + type + " has no name");
        }
        return name;
    }

    public static String nameOf(EventType type) {
        return nameOf(type, null);
    }

    public static Optional<EventType> typeOf(String name) {
        return Optional.ofNullable(name == null ? null : TYPES.get(name));
    }

    /** The names a client may send, in declaration order, for error messages. */
    public static String knownNames() {
        return Stream.of(EventType.values())
                .filter(NAMES::containsKey)
                .map(NAMES::get)
                .collect(Collectors.joining(", "));
    }
}
