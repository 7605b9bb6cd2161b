package io.recsys.recommendation.features;

import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.features.v1.PopularityWindow;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A feature store that answers nothing: a test's fake overrides only the calls the code under test may make. */
public abstract class UnansweredFeatureStore implements FeatureStore {

    @Override
    public UserProfile profile(String userId, ProfileQuery query, Duration timeout) {
        throw new UnsupportedOperationException("profile");
    }

    @Override
    public Map<String, ItemSignals> items(List<String> itemIds, Duration timeout) {
        throw new UnsupportedOperationException("items");
    }

    @Override
    public List<ScoredItem> popular(PopularityWindow window, int limit, Duration timeout) {
        throw new UnsupportedOperationException("popular");
    }

    @Override
    public ChangedItems changedItems(long sinceMillis, int limit, Duration timeout) {
        throw new UnsupportedOperationException("changedItems");
    }
}
