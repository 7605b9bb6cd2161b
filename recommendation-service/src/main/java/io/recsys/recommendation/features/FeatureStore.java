package io.recsys.recommendation.features;

import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.features.v1.PopularityWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the pipeline reads from the feature-service; every call has its own timeout. */
public interface FeatureStore {

    /**
     * The shopper's state; with {@code query.seeds()} above 0 also the co-occurrence neighbours of her that many most
     * recent distinct items, in the same round trip.
     */
    UserProfile profile(String userId, ProfileQuery query, Duration timeout);

    /**
     * How much of a shopper's state to read (the served bundle's feature contract says).
     *
     * @param recentEvents her last this-many events
     * @param seeds most recent distinct items whose neighbours are read (0: none)
     * @param neighboursPerSeed neighbours read per seed (the feature-service clamps it to what it keeps)
     */
    record ProfileQuery(int recentEvents, int seeds, int neighboursPerSeed) {

        public ProfileQuery withoutNeighbours() {
            return new ProfileQuery(recentEvents, 0, neighboursPerSeed);
        }
    }

    /** Signals of each item (absent ids are unknown to the store). */
    Map<String, ItemSignals> items(List<String> itemIds, Duration timeout);

    List<ScoredItem> popular(PopularityWindow window, int limit, Duration timeout);

    /** One page of the change feed: items whose signals changed at or after {@code sinceMillis}. */
    ChangedItems changedItems(long sinceMillis, int limit, Duration timeout);

    /**
     * @param readAtMillis when the feature-service read them (decayed popularity is as of then)
     * @param nextSinceMillis where the next page starts
     * @param more whether another page is waiting
     */
    record ChangedItems(List<ItemSignals> items, long readAtMillis, long nextSinceMillis, boolean more) {}

    record RecentInteraction(String itemId, String type) {}

    /**
     * A shopper's history; {@code known} is false for one never seen (cold start). {@code seedNeighbours}: the
     * co-occurrence neighbours of her most recent distinct items, strongest first, when they were asked for.
     */
    record UserProfile(
            String userId,
            boolean known,
            List<RecentInteraction> recent,
            long events,
            Optional<Instant> lastActive,
            Map<String, List<ScoredItem>> seedNeighbours) {

        public UserProfile(
                String userId,
                boolean known,
                List<RecentInteraction> recent,
                long events,
                Optional<Instant> lastActive) {
            this(userId, known, recent, events, lastActive, Map.of());
        }

        /** Distinct item ids, newest first. */
        public List<String> recentItemIds() {
            return recent.stream().map(RecentInteraction::itemId).distinct().toList();
        }

        public static UserProfile unknown(String userId) {
            return new UserProfile(userId, false, List.of(), 0, Optional.empty());
        }
    }

    /** The item signals ranking uses; popularity values are weighted event counts. */
    record ItemSignals(
            String itemId,
            double popularity,
            double lastWeek,
            double lastDay,
            double price,
            boolean available,
            String category,
            Map<String, String> attributes) {}
}
