package io.recsys.recommendation.reranking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import io.recsys.recommendation.reranking.Reranking.Scored;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RerankingTest {

    private static ItemSignals item(String id, String category, Map<String, String> attributes) {
        return new ItemSignals(id, 0, 0, 0, 1.0, true, category, attributes);
    }

    private static final Map<String, ItemSignals> SIGNALS = Map.of(
            "k1", item("k1", "kitchen", Map.of("brand", "acme")),
            "k2", item("k2", "kitchen", Map.of()),
            "k3", item("k3", "kitchen", Map.of()),
            "g1", item("g1", "garden", Map.of("brand", "acme")));

    private static List<String> ids(List<Scored> scored) {
        return scored.stream().map(Scored::itemId).toList();
    }

    @Test
    void scoresAreScaledToTheUnitIntervalAndTheOrderKeptWithoutDiversity() {
        List<Scored> top = Reranking.topK(
                List.of(new Scored("k1", -3.0), new Scored("k2", 5.0), new Scored("g1", 1.0)),
                SIGNALS,
                List.of(),
                1.0,
                3);

        assertThat(ids(top)).containsExactly("k2", "g1", "k1");
        assertThat(top.get(0).score()).isEqualTo(1.0);
        assertThat(top.get(1).score()).isCloseTo(0.5, within(1e-12));
        assertThat(top.get(2).score()).isEqualTo(0.0);
    }

    @Test
    void equalScoresAllCountAsFullyRelevant() {
        List<Scored> top =
                Reranking.topK(List.of(new Scored("k1", 7.0), new Scored("k2", 7.0)), SIGNALS, List.of(), 1.0, 5);

        assertThat(top).extracting(Scored::score).containsExactly(1.0, 1.0);
    }

    @Test
    void diversityPromotesAnotherCategoryOverAThirdItemOfTheSameOne() {
        List<Scored> ranked =
                List.of(new Scored("k1", 1.0), new Scored("k2", 0.9), new Scored("k3", 0.8), new Scored("g1", 0.5));

        assertThat(ids(Reranking.topK(ranked, SIGNALS, List.of(), 1.0, 2))).containsExactly("k1", "k2");
        // 0.5 * 0.8 - 0.5 * 1 (all picked are kitchen) < 0.5 * 0 - 0.5 * 0 for the garden item
        assertThat(ids(Reranking.topK(ranked, SIGNALS, List.of(), 0.5, 2))).containsExactly("k1", "g1");
    }

    @Test
    void rulesMultiplyTheRelevanceOfMatchingItemsByAttributeOrCategory() {
        List<Scored> ranked = List.of(new Scored("k2", 1.0), new Scored("k1", 0.6), new Scored("g1", 0.0));

        List<Scored> boosted = Reranking.topK(ranked, SIGNALS, List.of(new Rule("brand", "acme", 2.0)), 1.0, 3);
        assertThat(ids(boosted)).containsExactly("k1", "k2", "g1");
        assertThat(boosted.get(0).score()).isCloseTo(1.2, within(1e-12));

        List<Scored> buried = Reranking.topK(ranked, SIGNALS, List.of(new Rule("category", "kitchen", 0.1)), 1.0, 3);
        assertThat(ids(buried)).containsExactly("k2", "k1", "g1");
        assertThat(buried.get(0).score()).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void itemsWithoutSignalsAreKeptWithoutRulesOrCategory() {
        List<Scored> top = Reranking.topK(
                List.of(new Scored("unknown", 1.0), new Scored("k1", 0.0)),
                SIGNALS,
                List.of(new Rule("category", "kitchen", 10.0)),
                0.5,
                1);

        assertThat(ids(top)).containsExactly("unknown");
    }

    @Test
    void nothingRankedGivesNothingAndKLimitsTheList() {
        assertThat(Reranking.topK(List.of(), SIGNALS, List.of(), 0.8, 10)).isEmpty();
        assertThat(Reranking.topK(
                        List.of(new Scored("k1", 1), new Scored("k2", 2), new Scored("g1", 3)),
                        SIGNALS,
                        List.of(),
                        0.8,
                        2))
                .hasSize(2);
    }
}
