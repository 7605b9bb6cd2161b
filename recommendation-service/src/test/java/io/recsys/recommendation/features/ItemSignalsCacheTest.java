package io.recsys.recommendation.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recsys.contracts.platform.PlatformDefaults;
import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import io.recsys.testsupport.Configured;
import io.recsys.testsupport.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ItemSignalsCacheTest {

    /** A change feed: each change stamped with the clock's time, paged by time as the feature-service does. */
    private static final class ChangeFeed extends UnansweredFeatureStore {
        final ManualClock clock;
        final List<ItemSignals> changes = new CopyOnWriteArrayList<>();
        final List<Long> stampedAt = new CopyOnWriteArrayList<>();
        final List<Long> askedSince = new CopyOnWriteArrayList<>();
        volatile boolean down;

        ChangeFeed(ManualClock clock) {
            this.clock = clock;
        }

        void change(String id, double lastDay, boolean available) {
            changes.add(new ItemSignals(id, 10, 5, lastDay, 2.0, available, "kitchen", Map.of()));
            stampedAt.add(clock.millis());
        }

        @Override
        public ChangedItems changedItems(long sinceMillis, int limit, Duration timeout) {
            if (down) {
                throw io.grpc.Status.UNAVAILABLE.asRuntimeException();
            }
            askedSince.add(sinceMillis);
            List<ItemSignals> page = new ArrayList<>();
            long last = sinceMillis - 1;
            for (int i = 0; i < changes.size(); i++) {
                if (stampedAt.get(i) >= sinceMillis) {
                    page.add(changes.get(i));
                    last = Math.max(last, stampedAt.get(i));
                }
            }
            return new ChangedItems(page, clock.millis(), last + 1, false);
        }
    }

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-29T12:00:00Z"));
    private final ChangeFeed feed = new ChangeFeed(clock);
    private final ItemSignalsProperties properties =
            Configured.defaults(ItemSignalsProperties.PREFIX, ItemSignalsProperties.class);
    private final ItemSignalsCache cache = new ItemSignalsCache(feed, properties, clock, new SimpleMeterRegistry());

    @Test
    void nothingIsServedFromMemoryBeforeTheFirstLoadThenEveryItemIs() {
        feed.change("mug", 3, true);
        feed.change("tea", 1, true);
        assertThat(cache.loaded(List.of("mug"))).isEmpty();

        cache.poll();

        assertThat(cache.loaded(List.of("mug", "tea", "ghost")))
                .hasValueSatisfying(found -> assertThat(found).containsOnlyKeys("mug", "tea"));
        assertThat(feed.askedSince).containsExactly(0L);
    }

    @Test
    void eachPollReadsOnlyWhatChangedSinceALittleBeforeTheLastOne() {
        feed.change("mug", 3, true);
        cache.poll();
        long firstEnd = clock.millis() + 1;

        clock.advance(Duration.ofSeconds(30));
        feed.change("mug", 3, false); // taken off sale
        cache.poll();

        assertThat(feed.askedSince)
                .containsExactly(0L, firstEnd - properties.overlap().toMillis());
        assertThat(cache.loaded(List.of("mug")).orElseThrow().get("mug").available())
                .isFalse();
    }

    @Test
    void aQuietStoreIsNotReadAgainBeyondTheOverlap() {
        feed.change("mug", 3, true);
        cache.poll();
        clock.advance(Duration.ofMinutes(1));
        cache.poll();
        clock.advance(Duration.ofMinutes(1));
        cache.poll();

        assertThat(feed.askedSince.getLast())
                .isEqualTo(clock.millis() - 60_000 - properties.overlap().toMillis());
    }

    @Test
    void popularityWindowsKeepDecayingWhileAnItemIsQuiet() {
        feed.change("mug", 100, true);
        cache.poll();
        clock.advance(Duration.ofSeconds(10));
        cache.poll(); // read again within the overlap; after it, the quiet item is no longer re-read

        clock.advance(PlatformDefaults.LAST_DAY_WINDOW);
        cache.poll();

        ItemSignals mug = cache.loaded(List.of("mug")).orElseThrow().get("mug");
        assertThat(mug.lastDay()).isCloseTo(100 * Math.exp(-1), within(1e-9));
        assertThat(mug.popularity()).as("all-time popularity does not decay").isEqualTo(10);
    }

    @Test
    void aFailedPollKeepsWhatWasLoaded() {
        feed.change("mug", 3, true);
        cache.poll();
        feed.down = true;

        assertThatThrownBy(cache::poll).isInstanceOf(io.grpc.StatusRuntimeException.class);

        assertThat(cache.loaded(List.of("mug")).orElseThrow()).containsKey("mug");
    }
}
