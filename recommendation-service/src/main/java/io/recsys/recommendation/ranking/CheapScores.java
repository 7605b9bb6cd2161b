package io.recsys.recommendation.ranking;

import io.recsys.recommendation.candidates.Candidate;
import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import java.util.Map;

/**
 * Stage 5 without a model (MINIMAL, or when the ranker cannot be asked): co-occurrence with the shopper's recent items
 * first, then recent and all-time popularity, on log scales so that one very popular item does not drown the personal
 * signal.
 */
public final class CheapScores {

    private CheapScores() {}

    public static double of(Candidate candidate, Map<String, ItemSignals> signals) {
        ItemSignals item = signals.get(candidate.itemId());
        double week = item == null ? 0 : item.lastWeek();
        double allTime = item == null ? candidate.popularity() : item.popularity();
        return 1.0 * Math.log1p(candidate.cooccurrence()) + 0.5 * Math.log1p(week) + 0.2 * Math.log1p(allTime);
    }
}
