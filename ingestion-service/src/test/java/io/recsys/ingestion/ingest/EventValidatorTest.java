package io.recsys.ingestion.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.rpc.BadRequest;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventContext;
import io.recsys.ingestion.config.IngestionProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EventValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    private final IngestionProperties properties = new IngestionProperties(
            1000,
            Duration.ofHours(24),
            Duration.ofMinutes(5),
            Duration.ofDays(60),
            64,
            2,
            new IngestionProperties.RatingRange(0, 5),
            100,
            Duration.ofSeconds(1),
            64);
    private final EventValidator validator =
            new EventValidator(properties, new TextRules(properties), Clock.fixed(NOW, ZoneOffset.UTC));

    private static Event.Builder view() {
        return Event.newBuilder()
                .setEventId("e1")
                .setUserId("u1")
                .setItemId("i1")
                .setType(EventType.EVENT_TYPE_VIEW);
    }

    private java.util.List<String> fields(Event event) {
        return validator.validate(event, "events[7]").list().stream()
                .map(BadRequest.FieldViolation::getField)
                .toList();
    }

    @Test
    void aPlainViewIsValid() {
        assertThat(validator.validate(view().build(), "events[0]").isEmpty()).isTrue();
    }

    @Test
    void reportsEveryBadFieldWithItsPath() {
        Event event = Event.newBuilder()
                .setEventId("")
                .setUserId(" u")
                .setItemId("i1")
                .build();

        assertThat(fields(event)).containsExactly("events[7].event_id", "events[7].user_id", "events[7].type");
    }

    @Test
    void unknownTypeNumbersAreNamedAsUnknown() {
        Event event = view().setTypeValue(42).build();

        assertThat(validator.validate(event, "events[0]").list())
                .singleElement()
                .satisfies(v -> assertThat(v.getDescription()).startsWith("unknown event type 42; one of view, click"));
    }

    @Test
    void customTypesNeedAWellFormedNameThatIsNotBuiltIn() {
        assertThat(fields(view().setType(EventType.EVENT_TYPE_CUSTOM).build()))
                .containsExactly("events[7].custom_type");
        assertThat(fields(view().setType(EventType.EVENT_TYPE_CUSTOM)
                        .setCustomType("Wish List")
                        .build()))
                .containsExactly("events[7].custom_type");
        assertThat(fields(view().setType(EventType.EVENT_TYPE_CUSTOM)
                        .setCustomType("purchase")
                        .build()))
                .containsExactly("events[7].custom_type");
        assertThat(fields(view().setType(EventType.EVENT_TYPE_CUSTOM)
                        .setCustomType("wishlist")
                        .build()))
                .isEmpty();
        assertThat(fields(view().setCustomType("wishlist").build())).containsExactly("events[7].custom_type");
    }

    @Test
    void ratingsNeedAValueInRange() {
        Event.Builder rating = view().setType(EventType.EVENT_TYPE_RATING);

        assertThat(fields(rating.build())).containsExactly("events[7].value");
        assertThat(fields(rating.setValue(5.5).build())).containsExactly("events[7].value");
        assertThat(fields(rating.setValue(4).build())).isEmpty();
        assertThat(fields(view().setValue(Double.NaN).build())).containsExactly("events[7].value");
        assertThat(fields(view().setValue(-1).build())).containsExactly("events[7].value");
    }

    @Test
    void quantityAndTimestampMustBePlausible() {
        assertThat(fields(view().setQuantity(0).build())).containsExactly("events[7].quantity");
        assertThat(fields(view().setQuantity(101).build())).containsExactly("events[7].quantity");
        assertThat(fields(view().setOccurredAt(EventLogCodec.toTimestamp(NOW.plus(Duration.ofMinutes(6))))
                        .build()))
                .containsExactly("events[7].occurred_at");
        assertThat(fields(view().setOccurredAt(EventLogCodec.toTimestamp(Instant.ofEpochSecond(1_700_000)))
                        .build()))
                .containsExactly("events[7].occurred_at");
        assertThat(fields(view().setOccurredAt(EventLogCodec.toTimestamp(NOW.minus(Duration.ofDays(61))))
                        .build()))
                .containsExactly("events[7].occurred_at");
        assertThat(fields(view().setOccurredAt(EventLogCodec.toTimestamp(NOW.minus(Duration.ofDays(30))))
                        .build()))
                .isEmpty();
    }

    @Test
    void timeBoundsAreNamedAsConfigured() {
        assertThat(validator
                        .validate(
                                view().setOccurredAt(EventLogCodec.toTimestamp(NOW.minus(Duration.ofDays(61))))
                                        .build(),
                                "e")
                        .list())
                .singleElement()
                .satisfies(v -> assertThat(v.getDescription()).isEqualTo("lies more than 60d in the past"));
        assertThat(validator
                        .validate(
                                view().setOccurredAt(EventLogCodec.toTimestamp(NOW.plus(Duration.ofHours(1))))
                                        .build(),
                                "e")
                        .list())
                .singleElement()
                .satisfies(v -> assertThat(v.getDescription()).isEqualTo("lies more than 5m in the future"));
    }

    @Test
    void contextTextAndAttributesAreBounded() {
        Event event = view().setContext(EventContext.newBuilder()
                        .setPage("p".repeat(65))
                        .putAttributes("a", "1")
                        .putAttributes("b", "2")
                        .putAttributes("c", "3"))
                .build();

        assertThat(fields(event)).containsExactlyInAnyOrder("events[7].context.page", "events[7].context.attributes");
    }

    @Test
    void stringsThatAreNotUtf8AreRejectedNamingTheField() {
        ByteString notUtf8 = ByteString.copyFrom(new byte[] {'u', (byte) 0xC3, '(', 'x'});
        Event event = view().setUserIdBytes(notUtf8)
                .setContext(EventContext.newBuilder().setPageBytes(notUtf8).setDevice("phone"))
                .build();

        assertThat(validator.validate(event, "events[7]").list())
                .extracting(BadRequest.FieldViolation::getField, BadRequest.FieldViolation::getDescription)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("events[7].user_id", "is not valid UTF-8"),
                        org.assertj.core.groups.Tuple.tuple("events[7].context.page", "is not valid UTF-8"));
    }
}
