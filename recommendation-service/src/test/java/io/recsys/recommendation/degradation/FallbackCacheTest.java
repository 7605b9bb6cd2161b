package io.recsys.recommendation.degradation;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Status;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.features.v1.PopularityWindow;
import io.recsys.recommendation.features.UnansweredFeatureStore;
import io.recsys.testsupport.Configured;
import io.recsys.testsupport.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class FallbackCacheTest {

    /** Serves the popular lists it is given and records what it was asked. */
    private static final class PopularLists extends UnansweredFeatureStore {
        final AtomicReference<String> top = new AtomicReference<>("first");
        final AtomicBoolean down = new AtomicBoolean();
        final List<String> asked = new CopyOnWriteArrayList<>();

        @Override
        public List<ScoredItem> popular(PopularityWindow window, int limit, Duration timeout) {
            asked.add(window.name() + " " + limit + " " + timeout);
            if (down.get()) {
                throw Status.UNAVAILABLE.asRuntimeException();
            }
            return List.of(ScoredItem.newBuilder()
                    .setItemId(top.get() + "-" + window.name())
                    .setScore(1)
                    .build());
        }
    }

    private final PopularLists store = new PopularLists();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T12:00:00Z"));
    private final DepthProperties properties = Configured.bind(
            DepthProperties.PREFIX,
            DepthProperties.class,
            Map.of("fallback-refresh", "5s", "fallback-size", "100", "fallback-timeout", "300ms"));
    private final FallbackCache cache = new FallbackCache(
            store,
            new Dependencies(CircuitBreakerRegistry.ofDefaults(), BulkheadRegistry.ofDefaults()),
            properties,
            clock);

    private static String first(List<ScoredItem> items) {
        return items.isEmpty() ? "" : items.get(0).getItemId();
    }

    @Test
    void theFirstRequestWaitsForTheListsAsConfigured() {
        FallbackCache.Lists lists = cache.lists();

        assertThat(first(lists.popular())).isEqualTo("first-POPULARITY_WINDOW_LAST_WEEK");
        assertThat(first(lists.trending())).isEqualTo("first-POPULARITY_WINDOW_TRENDING");
        assertThat(lists.asOf()).isEqualTo(clock.instant());
        assertThat(store.asked)
                .containsExactly("POPULARITY_WINDOW_LAST_WEEK 100 PT0.3S", "POPULARITY_WINDOW_TRENDING 20 PT0.3S");
    }

    @Test
    void freshListsAreServedFromMemoryAndStaleOnesRefreshedInTheBackground() {
        cache.lists();
        store.top.set("second");
        clock.advance(Duration.ofSeconds(4));
        assertThat(first(cache.lists().popular())).startsWith("first");
        assertThat(store.asked).hasSize(2);

        clock.advance(Duration.ofSeconds(2));
        // the request that notices stale lists is not held up: it may still get the old ones
        assertThat(first(cache.lists().popular()))
                .isIn("first-POPULARITY_WINDOW_LAST_WEEK", "second-POPULARITY_WINDOW_LAST_WEEK");
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> first(cache.lists().popular()).startsWith("second"));
    }

    @Test
    void aFailedRefreshKeepsTheLastGoodListsAndIsTriedAgainLater() {
        cache.lists();
        store.down.set(true);
        clock.advance(Duration.ofSeconds(6));
        cache.lists();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> store.asked.size() >= 3);

        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(first(cache.lists().popular())).startsWith("first"));

        store.down.set(false);
        store.top.set("third");
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> first(cache.lists().popular()).startsWith("third"));
    }
}
