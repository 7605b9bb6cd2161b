package io.recsys.recommendation.ranking;

import io.recsys.contracts.platform.PlatformDefaults;
import io.recsys.recommendation.candidates.Candidate;
import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import java.util.Map;
import java.util.Optional;

/**
 * Stage 5 without a model (MINIMAL, or when the ranker cannot be asked): a weighted sum of co-occurrence with the
 * shopper's recent items, recent and all-time popularity, each on a log scale so that one very popular item does not
 * drown the personal signal.
 *
 * <p>The weights come with the served bundle, learned on its training data (ModelInfo {@code cheap_score_weights},
 * python-worker {@code cheap_scores.py}); without a bundle, or with one made before they were learned, the hand-set
 * ones.
 */
public record CheapScores(double cooccurrence, double popularity7d, double popularity) {

    // the weights' names in ModelInfo.cheap_score_weights: the ranker's features of the same signals
    static final String COOCCURRENCE = "cooccurrence";
    static final String POPULARITY_7D = "item_popularity_7d";
    static final String POPULARITY = "item_popularity";

    /** The weights stated in the contracts' platform.properties. */
    public static final CheapScores HAND_SET = complete(PlatformDefaults.CHEAP_SCORES_HAND_SET)
            .orElseThrow(() -> new IllegalStateException("platform.properties lacks a cheap-scores.hand-set weight"));

    /** The weights a bundle carries; the hand-set ones unless all three are there. */
    public static CheapScores from(Map<String, Double> weights) {
        return complete(weights).orElse(HAND_SET);
    }

    private static Optional<CheapScores> complete(Map<String, Double> weights) {
        Double cooccurrence = weights.get(COOCCURRENCE);
        Double popularity7d = weights.get(POPULARITY_7D);
        Double popularity = weights.get(POPULARITY);
        return cooccurrence == null || popularity7d == null || popularity == null
                ? Optional.empty()
                : Optional.of(new CheapScores(cooccurrence, popularity7d, popularity));
    }

    public double score(Candidate candidate, Map<String, ItemSignals> signals) {
        ItemSignals item = signals.get(candidate.itemId());
        double week = item == null ? 0 : item.lastWeek();
        double allTime = item == null ? candidate.popularity() : item.popularity();
        return cooccurrence * Math.log1p(candidate.cooccurrence())
                + popularity7d * Math.log1p(week)
                + popularity * Math.log1p(allTime);
    }
}
