package io.recsys.ingestion.ingest;

import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventTypeNames;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventContext;
import io.recsys.ingestion.config.IngestionProperties;
import java.time.Clock;
import java.time.Instant;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/** Checks one event against the platform's rules; every problem is reported, not only the first. */
@Component
public class EventValidator {

    private static final Pattern CUSTOM_TYPE = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    private final IngestionProperties properties;
    private final TextRules textRules;
    private final Clock clock;

    public EventValidator(IngestionProperties properties, TextRules textRules, Clock clock) {
        this.properties = properties;
        this.textRules = textRules;
        this.clock = clock;
    }

    /** Violations of {@code event}, with field paths under {@code path} (e.g. {@code events[3]}). */
    public FieldViolations validate(Event event, String path) {
        FieldViolations violations = new FieldViolations();
        TextRules.checkId(event.getEventIdBytes(), path + ".event_id", violations);
        TextRules.checkId(event.getUserIdBytes(), path + ".user_id", violations);
        TextRules.checkId(event.getItemIdBytes(), path + ".item_id", violations);
        validateType(event, path, violations);
        validateValue(event, path, violations);
        if (event.hasQuantity() && (event.getQuantity() < 1 || event.getQuantity() > properties.maxQuantity())) {
            violations.add(path + ".quantity", "must be between 1 and " + properties.maxQuantity());
        }
        if (event.hasOccurredAt()) {
            validateTimestamp(event, path, violations);
        }
        validateContext(event.getContext(), path + ".context", violations);
        return violations;
    }

    private void validateType(Event event, String path, FieldViolations violations) {
        EventType type = event.getType();
        if (type == EventType.EVENT_TYPE_UNSPECIFIED) {
            violations.add(path + ".type", "is required; one of " + EventTypeNames.knownNames());
        } else if (type == EventType.UNRECOGNIZED) {
            violations.add(
                    path + ".type",
                    "unknown event type " + event.getTypeValue() + "; one of " + EventTypeNames.knownNames());
        } else if (type == EventType.EVENT_TYPE_CUSTOM) {
            if (TextRules.decoded(event.getCustomTypeBytes(), path + ".custom_type", violations)
                    .isEmpty()) {
                return;
            }
            if (!CUSTOM_TYPE.matcher(event.getCustomType()).matches()) {
                violations.add(
                        path + ".custom_type",
                        "is required for custom events: 1 to 32 of a-z, 0-9, _ starting with a letter");
            } else if (EventTypeNames.typeOf(event.getCustomType()).isPresent()) {
                violations.add(
                        path + ".custom_type", "'" + event.getCustomType() + "' is a built-in type; send it as type");
            }
        } else if (!event.getCustomType().isEmpty()) {
            violations.add(path + ".custom_type", "is only allowed when type is custom");
        }
    }

    private void validateValue(Event event, String path, FieldViolations violations) {
        if (event.hasValue() && !Double.isFinite(event.getValue())) {
            violations.add(path + ".value", "must be a finite number");
            return;
        }
        if (event.getType() == EventType.EVENT_TYPE_RATING) {
            IngestionProperties.RatingRange range = properties.ratingRange();
            if (!event.hasValue()) {
                violations.add(path + ".value", "is required for ratings");
            } else if (event.getValue() < range.min() || event.getValue() > range.max()) {
                violations.add(path + ".value", "a rating must be between " + range.min() + " and " + range.max());
            }
        } else if (event.hasValue() && event.getValue() < 0) {
            violations.add(path + ".value", "must not be negative");
        }
    }

    private void validateTimestamp(Event event, String path, FieldViolations violations) {
        Instant occurredAt;
        try {
            occurredAt = EventLogCodec.toInstant(event.getOccurredAt());
        } catch (java.time.DateTimeException e) {
            violations.add(path + ".occurred_at", "is not a valid timestamp");
            return;
        }
        Instant now = clock.instant();
        if (occurredAt.isBefore(now.minus(properties.maxEventAge()))) {
            violations.add(
                    path + ".occurred_at",
                    "lies more than " + Durations.human(properties.maxEventAge()) + " in the past");
        } else if (occurredAt.isAfter(now.plus(properties.maxClockSkew()))) {
            violations.add(
                    path + ".occurred_at",
                    "lies more than " + Durations.human(properties.maxClockSkew()) + " in the future");
        }
    }

    private void validateContext(EventContext context, String path, FieldViolations violations) {
        textRules.checkText(context.getSessionIdBytes(), path + ".session_id", violations);
        textRules.checkText(context.getDeviceBytes(), path + ".device", violations);
        textRules.checkText(context.getPageBytes(), path + ".page", violations);
        textRules.checkAttributes(context.getAttributesMap(), path + ".attributes", violations);
    }
}
