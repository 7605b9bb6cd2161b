package io.recsys.contracts.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventLogCodecTest {

    private static final Instant INGESTED = Instant.parse("2026-11-27T10:15:30.123Z");

    @Test
    void eventSurvivesTheRoundTripWithEveryOptionalField() {
        Event event = Event.newBuilder()
                .setEventId("e-1")
                .setUserId("u-1")
                .setItemId("i-1")
                .setType(EventType.EVENT_TYPE_CUSTOM)
                .setCustomType("wishlist")
                .setValue(4.5)
                .setQuantity(2)
                .setOccurredAt(EventLogCodec.toTimestamp(Instant.parse("2026-11-27T10:00:00Z")))
                .setContext(EventContext.newBuilder()
                        .setSessionId("s")
                        .setDevice("mobile")
                        .setPage("home")
                        .putAttributes("campaign", "bf"))
                .build();

        Event awkward = event.toBuilder()
                .setEventId("e-2")
                .setContext(EventContext.newBuilder()
                        .setPage("tab\there, new\nline, back\\slash\\t = x")
                        .putAttributes("note", "a=b\t\\"))
                .build();

        Map<String, String> fields = EventLogCodec.encodeEvents(List.of(event, awkward), INGESTED);
        EventLogCodec.Entry decoded = EventLogCodec.decode(fields);

        assertThat(fields).containsEntry("kind", "events").containsEntry("n", "2");
        assertThat(fields.get("data").split("\n")[0])
                .contains("type=custom")
                .contains("ctype=wishlist")
                .contains("ctx.campaign=bf");
        assertThat(decoded).isEqualTo(new EventLogCodec.LoggedEvents(List.of(event, awkward), INGESTED));
    }

    @Test
    void anEntryWhoseCountDisagreesWithItsLinesIsRefused() {
        Map<String, String> fields = new java.util.HashMap<>(EventLogCodec.encodeEvents(
                List.of(Event.newBuilder()
                        .setEventId("e")
                        .setUserId("u")
                        .setItemId("i")
                        .setType(EventType.EVENT_TYPE_VIEW)
                        .build()),
                INGESTED));
        fields.put("n", "2");

        assertThatThrownBy(() -> EventLogCodec.decode(fields)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void missingOccurredAtIsTheIngestionTimeAndAbsentOptionalsStayAbsent() {
        Event event = Event.newBuilder()
                .setEventId("e")
                .setUserId("u")
                .setItemId("i")
                .setType(EventType.EVENT_TYPE_VIEW)
                .build();

        EventLogCodec.LoggedEvents decoded =
                (EventLogCodec.LoggedEvents) EventLogCodec.decode(EventLogCodec.encodeEvents(List.of(event), INGESTED));

        Event read = decoded.events().getFirst();
        assertThat(EventLogCodec.toInstant(read.getOccurredAt())).isEqualTo(INGESTED);
        assertThat(read.hasValue()).isFalse();
        assertThat(read.hasQuantity()).isFalse();
    }

    @Test
    void itemKeepsAvailabilityTriState() {
        Item unknownStock = Item.newBuilder()
                .setItemId("i")
                .setTitle("Mug")
                .setCategory("kitchen")
                .setPrice(3.5)
                .setCurrency("GBP")
                .putAttributes("colour", "red")
                .setUpdatedAt(EventLogCodec.toTimestamp(INGESTED))
                .build();
        Item soldOut = unknownStock.toBuilder().setAvailable(false).build();

        assertThat(EventLogCodec.decode(EventLogCodec.encode(unknownStock, INGESTED)))
                .isEqualTo(new EventLogCodec.LoggedItem(unknownStock, INGESTED));
        EventLogCodec.LoggedItem decodedSoldOut =
                (EventLogCodec.LoggedItem) EventLogCodec.decode(EventLogCodec.encode(soldOut, INGESTED));
        assertThat(decodedSoldOut.item().hasAvailable()).isTrue();
        assertThat(decodedSoldOut.item().getAvailable()).isFalse();
    }

    @Test
    void entriesOfAnotherSchemaVersionAreReportedNotGuessed() {
        assertThat(EventLogCodec.decode(Map.of("kind", "event", "v", "99")))
                .isEqualTo(new EventLogCodec.Unknown("event", "99"));
    }
}
