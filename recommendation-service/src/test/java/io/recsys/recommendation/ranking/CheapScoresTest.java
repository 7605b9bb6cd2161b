package io.recsys.recommendation.ranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.recommendation.candidates.Candidate;
import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheapScoresTest {

    private static Candidate candidate(String id, double cooccurrence, double popularity) {
        return new Candidate(id, Set.of(CandidateSource.CANDIDATE_SOURCE_POPULARITY), 0, cooccurrence, popularity);
    }

    private static ItemSignals signals(String id, double allTime, double lastWeek) {
        return new ItemSignals(id, allTime, lastWeek, 0, 1.0, true, "", Map.of());
    }

    @Test
    void theScoreIsLogCooccurrencePlusDiscountedLogPopularity() {
        double score = CheapScores.HAND_SET.score(candidate("a", 10, 0), Map.of("a", signals("a", 1000, 50)));

        assertThat(score).isCloseTo(Math.log1p(10) + 0.5 * Math.log1p(50) + 0.2 * Math.log1p(1000), within(1e-12));
    }

    @Test
    void withoutSignalsTheCandidatesOwnPopularityCounts() {
        assertThat(CheapScores.HAND_SET.score(candidate("a", 0, 99), Map.of()))
                .isCloseTo(0.2 * Math.log1p(99), within(1e-12));
        assertThat(CheapScores.HAND_SET.score(candidate("a", 0, 0), Map.of())).isZero();
    }

    @Test
    void cooccurrenceWithTheShoppersItemsWeighsMoreThanTheSameCountOfRecentPopularity() {
        Map<String, ItemSignals> signals =
                Map.of("personal", signals("personal", 0, 0), "popular", signals("popular", 0, 400));

        assertThat(CheapScores.HAND_SET.score(candidate("personal", 400, 0), signals))
                .isGreaterThan(CheapScores.HAND_SET.score(candidate("popular", 0, 0), signals));
    }

    @Test
    void aBundlesLearnedWeightsReplaceTheHandSetOnes() {
        CheapScores learned =
                CheapScores.from(Map.of("cooccurrence", 0.25, "item_popularity_7d", 1.0, "item_popularity", 0.0));
        Map<String, ItemSignals> signals =
                Map.of("personal", signals("personal", 0, 0), "trending", signals("trending", 0, 400));

        assertThat(learned).isEqualTo(new CheapScores(0.25, 1.0, 0.0));
        // recent popularity now outweighs the same count of co-occurrence
        assertThat(learned.score(candidate("trending", 0, 0), signals))
                .isGreaterThan(learned.score(candidate("personal", 400, 0), signals));
    }

    @Test
    void withoutAllThreeWeightsTheHandSetOnesServe() {
        assertThat(CheapScores.from(Map.of())).isSameAs(CheapScores.HAND_SET);
        assertThat(CheapScores.from(Map.of("cooccurrence", 2.0))).isSameAs(CheapScores.HAND_SET);
    }
}
