package io.recsys.features.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.features.v1.Popularity;
import io.recsys.testsupport.ManualClock;
import io.recsys.testsupport.RealRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Decayed popularity windows and trending against a real Redis, with a clock the test moves. */
@SpringBootTest(properties = {"spring.grpc.server.port=0", "server.port=0", "recsys.features.consumer.enabled=false"})
class PopularityWindowsTest {

    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        redis.registerSpringProperties(registry::add);
    }

    @TestConfiguration
    static class MovableTime {
        @Bean
        ManualClock clock() {
            return new ManualClock(T0);
        }
    }

    @Autowired
    StringRedisTemplate redisTemplate;

    @Autowired
    FeatureWriter writer;

    @Autowired
    FeatureReader reader;

    @Autowired
    PopularityLandmark landmark;

    @Autowired
    ManualClock clock;

    @Autowired
    EventLogPartitions partitions;

    @BeforeEach
    void freshStore() {
        redisTemplate
                .getRequiredConnectionFactory()
                .getConnection()
                .serverCommands()
                .flushAll();
        clock.set(T0);
    }

    private void purchase(String item, Instant at, int times) {
        for (int i = 0; i < times; i++) {
            Event event = Event.newBuilder()
                    .setEventId(item + at + i)
                    .setUserId("u" + i)
                    .setItemId(item)
                    .setType(EventType.EVENT_TYPE_PURCHASE)
                    .setOccurredAt(EventLogCodec.toTimestamp(at))
                    .build();
            new LogFixture(redisTemplate, partitions, writer, landmark).append(at, event);
        }
    }

    private void applyAll() {
        new LogFixture(redisTemplate, partitions, writer, landmark).applyAll(clock.instant());
    }

    private Popularity popularityOf(String item) {
        return reader.read("", 1, List.of(item)).items().getFirst().getPopularity();
    }

    private static double decayed(double weight, Duration age, Duration tau) {
        return weight * Math.exp(-(double) age.toMillis() / tau.toMillis());
    }

    @Test
    void eachWindowWeighsAnEventByItsAge() {
        purchase("old", T0.minus(Duration.ofHours(2)), 1);
        purchase("fresh", T0, 1);
        applyAll();

        Popularity old = popularityOf("old");
        assertThat(old.getAllTime()).isEqualTo(8.0);
        assertThat(old.getLastHour()).isCloseTo(decayed(8, Duration.ofHours(2), Duration.ofHours(1)), within(1e-9));
        assertThat(old.getLastDay()).isCloseTo(decayed(8, Duration.ofHours(2), Duration.ofDays(1)), within(1e-9));
        assertThat(old.getLastWeek()).isCloseTo(decayed(8, Duration.ofHours(2), Duration.ofDays(7)), within(1e-9));
        assertThat(popularityOf("fresh").getLastHour()).isCloseTo(8.0, within(1e-9));
        assertThat(reader.popular(DecayWindow.LAST_HOUR, 2, Set.of()))
                .extracting(ScoredItem::getItemId)
                .containsExactly("fresh", "old");

        clock.set(T0.plus(Duration.ofHours(1)));
        assertThat(popularityOf("fresh").getLastHour())
                .isCloseTo(decayed(8, Duration.ofHours(1), Duration.ofHours(1)), within(1e-9));
    }

    @Test
    void trendingIsWhatSellsAboveItsUsualRate() {
        // "steady" sold 2 a day all week, "surging" 6 in the last hour, "gone" sold a lot three days ago
        for (int day = 0; day < 7; day++) {
            purchase("steady", T0.minus(Duration.ofDays(day)).minus(Duration.ofMinutes(30)), 2);
        }
        purchase("surging", T0.minus(Duration.ofMinutes(10)), 6);
        purchase("gone", T0.minus(Duration.ofDays(3)), 40);
        applyAll();

        assertThat(reader.trending(5, Set.of()))
                .extracting(ScoredItem::getItemId)
                .first()
                .isEqualTo("surging");
        assertThat(reader.trending(5, Set.of()))
                .extracting(ScoredItem::getItemId)
                .doesNotContain("gone");
        assertThat(reader.trending(5, Set.of("surging")))
                .extracting(ScoredItem::getItemId)
                .doesNotContain("surging");
    }

    @Test
    void featuresNotUpdatedForLongerThanTheBoundAreStale() {
        purchase("mug", T0, 1);
        applyAll();
        assertThat(reader.read("u0", 5, List.of("mug")).items().getFirst().getStatus())
                .isEqualTo(io.recsys.contracts.features.v1.FeatureStatus.FEATURE_STATUS_PRESENT);

        clock.set(T0.plus(Duration.ofDays(31)));
        var stale = reader.read("u0", 5, List.of("mug"));
        assertThat(stale.items().getFirst().getStatus())
                .isEqualTo(io.recsys.contracts.features.v1.FeatureStatus.FEATURE_STATUS_STALE);
        assertThat(stale.user().getStatus())
                .isEqualTo(io.recsys.contracts.features.v1.FeatureStatus.FEATURE_STATUS_STALE);
    }

    @Test
    void movingTheLandmarkChangesNoReadingAndLaterEventsAddUp() {
        purchase("mug", T0, 3);
        applyAll();
        Instant later = T0.plus(Duration.ofDays(2));
        clock.set(later);
        Popularity before = popularityOf("mug");
        List<ScoredItem> weekBefore = reader.popular(DecayWindow.LAST_WEEK, 1, Set.of());

        assertThat(landmark.rebaseIfDue(later)).isTrue();
        assertThat(landmark.rebaseIfDue(later)).as("once is enough").isFalse();

        assertThat(popularityOf("mug").getLastWeek()).isCloseTo(before.getLastWeek(), within(1e-9));
        assertThat(reader.popular(DecayWindow.LAST_WEEK, 1, Set.of()).getFirst().getScore())
                .isCloseTo(weekBefore.getFirst().getScore(), within(1e-9));

        purchase("mug", later, 1);
        applyAll();
        assertThat(popularityOf("mug").getLastWeek())
                .isCloseTo(decayed(24, Duration.ofDays(2), Duration.ofDays(7)) + 8, within(1e-9));
        assertThat(reader.popular(DecayWindow.LAST_WEEK, 1, Set.of()).getFirst().getScore())
                .isCloseTo(decayed(24, Duration.ofDays(2), Duration.ofDays(7)) + 8, within(1e-9));
    }
}
