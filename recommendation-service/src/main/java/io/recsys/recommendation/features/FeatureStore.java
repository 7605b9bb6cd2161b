package io.recsys.recommendation.features;

import java.util.List;
import java.util.Set;

import io.recsys.contracts.common.v1.ScoredItem;

/** What the pipeline reads from the feature-service. */
public interface FeatureStore {

    UserHistory userHistory(String userId, int recentLimit);

    /** Most popular items first, without {@code excluded}. */
    List<ScoredItem> popular(int limit, Set<String> excluded);

    /** The items a user interacted with recently; {@code known} is false for a user never seen. */
    record UserHistory(String userId, boolean known, List<String> recentItemIds) {
    }
}
