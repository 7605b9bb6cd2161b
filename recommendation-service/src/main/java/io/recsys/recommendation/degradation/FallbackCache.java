package io.recsys.recommendation.degradation;

import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.features.v1.PopularityWindow;
import io.recsys.recommendation.features.FeatureStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Popular and trending items kept in memory: the popularity candidate source at every level (no call on the request
 * path) and the whole answer at FALLBACK, when nothing else can be asked. Refreshed in the background; a failed refresh
 * keeps the last good lists.
 */
@Component
public class FallbackCache {

    private static final Logger log = LoggerFactory.getLogger(FallbackCache.class);

    public record Lists(List<ScoredItem> popular, List<ScoredItem> trending, Instant asOf) {}

    private final FeatureStore features;
    private final Dependencies dependencies;
    private final DepthProperties properties;
    private final Clock clock;
    private final AtomicReference<Lists> lists;
    private final AtomicBoolean refreshing = new AtomicBoolean();

    public FallbackCache(FeatureStore features, Dependencies dependencies, DepthProperties properties, Clock clock) {
        this.features = features;
        this.dependencies = dependencies;
        this.properties = properties;
        this.clock = clock;
        this.lists = new AtomicReference<>(new Lists(List.of(), List.of(), Instant.EPOCH));
    }

    public Lists lists() {
        Lists current = lists.get();
        if (current.asOf().plus(properties.fallbackRefresh()).isBefore(clock.instant())
                && refreshing.compareAndSet(false, true)) {
            if (current.popular().isEmpty()) {
                refresh(); // nothing to serve yet: the first request waits for the first lists
            } else {
                Thread.ofVirtual().name("fallback-refresh").start(this::refresh);
            }
        }
        return lists.get();
    }

    private void refresh() {
        try {
            List<ScoredItem> popular = dependencies.features(() -> features.popular(
                    PopularityWindow.POPULARITY_WINDOW_LAST_WEEK,
                    properties.fallbackSize(),
                    properties.fallbackTimeout()));
            List<ScoredItem> trending = dependencies.features(() -> features.popular(
                    PopularityWindow.POPULARITY_WINDOW_TRENDING,
                    Math.max(1, properties.fallbackSize() / 5),
                    properties.fallbackTimeout()));
            lists.set(new Lists(popular, trending, clock.instant()));
        } catch (RuntimeException e) {
            log.debug("popular lists not refreshed: {}", e.toString());
        } finally {
            refreshing.set(false);
        }
    }
}
