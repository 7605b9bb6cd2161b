package io.recsys.localstack.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.events.v1.Event;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DemoDataGeneratorTest {

    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final DemoDataSpec SPEC = new DemoDataSpec(42, 300, 1000, 15, 30);

    @Test
    void theSameSeedGivesTheSameShop() {
        assertThat(DemoDataGenerator.generate(SPEC, NOW)).isEqualTo(DemoDataGenerator.generate(SPEC, NOW));
        assertThat(DemoDataGenerator.generate(new DemoDataSpec(43, 300, 1000, 15, 30), NOW)
                        .events())
                .isNotEqualTo(DemoDataGenerator.generate(SPEC, NOW).events());
    }

    @Test
    void popularityIsSkewedLikeARealShop() {
        List<Event> events = DemoDataGenerator.generate(SPEC, NOW).events();
        List<Long> countsByItem =
                events.stream()
                        .collect(Collectors.groupingBy(Event::getItemId, Collectors.counting()))
                        .values()
                        .stream()
                        .sorted(Comparator.reverseOrder())
                        .toList();
        long top10 = countsByItem.stream().limit(10).mapToLong(Long::longValue).sum();

        // ten items out of 300 (3%) draw a large share of the traffic, and the long tail is still visited
        assertThat((double) top10 / events.size()).isBetween(0.2, 0.7);
        assertThat(countsByItem.size()).isGreaterThan(150);
    }

    @Test
    void eventsFollowAPurchaseFunnelAndStayInTheConfiguredPast() {
        List<Event> events = DemoDataGenerator.generate(SPEC, NOW).events();
        Map<EventType, Long> byType =
                events.stream().collect(Collectors.groupingBy(Event::getType, Collectors.counting()));

        assertThat(byType.get(EventType.EVENT_TYPE_VIEW)).isGreaterThan(byType.get(EventType.EVENT_TYPE_CLICK));
        assertThat(byType.get(EventType.EVENT_TYPE_CLICK)).isGreaterThan(byType.get(EventType.EVENT_TYPE_PURCHASE));
        assertThat(events)
                .allSatisfy(e -> assertThat(EventLogCodec.toInstant(e.getOccurredAt()))
                        .isBetween(NOW.minusSeconds(30L * 86_400), NOW));
        assertThat(events.stream().map(Event::getEventId).collect(Collectors.toSet()))
                .hasSameSizeAs(events);
        assertThat(events.stream().filter(e -> e.getType() == EventType.EVENT_TYPE_RATING))
                .allSatisfy(e -> assertThat(e.getValue()).isBetween(1.0, 5.0));
        assertThat(
                        events.stream()
                                .collect(Collectors.groupingBy(Event::getUserId, Collectors.counting()))
                                .values()
                                .stream()
                                .max(Comparator.naturalOrder())
                                .orElseThrow())
                .as("a few heavy shoppers")
                .isGreaterThan(45L);
    }
}
