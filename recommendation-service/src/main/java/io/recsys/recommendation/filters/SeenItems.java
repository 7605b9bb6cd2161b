package io.recsys.recommendation.filters;

import io.recsys.recommendation.features.FeatureStore.UserProfile;
import java.util.HashSet;
import java.util.Set;

/** Stage 4, part one: what the shopper already did with an item, by event type, keeps it out of the answer. */
public final class SeenItems {

    private SeenItems() {}

    /**
     * Items of the user's recent interactions of {@code types} (every type when empty), plus the caller's exclusions.
     */
    public static Set<String> of(UserProfile profile, Set<String> types, Iterable<String> callerExclusions) {
        Set<String> excluded = new HashSet<>();
        profile.recent().stream()
                .filter(i -> types.isEmpty() || types.contains(i.type()))
                .forEach(i -> excluded.add(i.itemId()));
        callerExclusions.forEach(excluded::add);
        return excluded;
    }
}
