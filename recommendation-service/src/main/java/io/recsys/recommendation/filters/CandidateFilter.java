package io.recsys.recommendation.filters;

import io.recsys.recommendation.candidates.Candidate;
import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Stage 4, part two: candidates that must not be shown (unavailable, excluded), once each. */
public final class CandidateFilter {

    private CandidateFilter() {}

    public static List<Candidate> apply(
            List<Candidate> candidates, Set<String> excluded, Map<String, ItemSignals> signals) {
        return candidates.stream()
                .filter(c -> !excluded.contains(c.itemId()))
                .filter(c -> {
                    ItemSignals item = signals.get(c.itemId());
                    return item == null || item.available();
                })
                .distinct()
                .toList();
    }
}
