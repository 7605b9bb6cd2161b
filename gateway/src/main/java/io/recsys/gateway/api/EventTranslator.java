package io.recsys.gateway.api;

import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventTypeNames;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventContext;
import io.recsys.gateway.errors.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * JSON events to protobuf. Only what JSON cannot express in protobuf is judged here (the type's name); every other rule
 * lives in the ingestion-service, so gRPC and JSON clients get the same verdicts.
 */
@Component
public class EventTranslator {

    /** The event, or the violations that keep it from being one. */
    public record Translation(Event event, List<Violation> violations) {
        public boolean ok() {
            return violations.isEmpty();
        }
    }

    public Translation translate(EventJson json, int index) {
        String path = "events[" + index + "]";
        if (json == null) {
            return new Translation(null, List.of(new Violation(path, "must be an event object, not null")));
        }
        List<Violation> violations = new ArrayList<>();
        Optional<EventType> type = typeOf(json.type(), path, violations);
        if (!violations.isEmpty()) {
            return new Translation(null, violations);
        }
        Event.Builder event = Event.newBuilder()
                .setEventId(PublicNames.orEmpty(json.eventId()))
                .setUserId(PublicNames.orEmpty(json.userId()))
                .setItemId(PublicNames.orEmpty(json.itemId()))
                .setType(type.orElseThrow())
                .setCustomType(PublicNames.orEmpty(json.customType()));
        if (json.value() != null) {
            event.setValue(json.value());
        }
        if (json.quantity() != null) {
            event.setQuantity(json.quantity());
        }
        if (json.occurredAt() != null) {
            event.setOccurredAt(EventLogCodec.toTimestamp(json.occurredAt()));
        }
        if (json.context() != null) {
            EventContext.Builder context = EventContext.newBuilder()
                    .setSessionId(PublicNames.orEmpty(json.context().sessionId()))
                    .setDevice(PublicNames.orEmpty(json.context().device()))
                    .setPage(PublicNames.orEmpty(json.context().page()));
            if (json.context().attributes() != null) {
                json.context().attributes().forEach((k, v) -> context.putAttributes(k, PublicNames.orEmpty(v)));
            }
            event.setContext(context);
        }
        return new Translation(event.build(), List.of());
    }

    private static Optional<EventType> typeOf(String name, String path, List<Violation> violations) {
        if (name == null || name.isBlank()) {
            violations.add(new Violation(path + ".type", "is required; one of " + EventTypeNames.knownNames()));
            return Optional.empty();
        }
        Optional<EventType> type = EventTypeNames.typeOf(name);
        if (type.isEmpty()) {
            violations.add(new Violation(
                    path + ".type",
                    "unknown event type '" + name + "'; one of " + EventTypeNames.knownNames()
                            + " (custom behaviours: type custom with a custom_type)"));
        }
        return type;
    }
}
