package io.recsys.recommendation.reranking;

import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage 6: business rules, then diversity, then the top K. Scores are first scaled to [0, 1] (model logits and cheap
 * scores alike); each matching rule multiplies an item's relevance; maximal marginal relevance then picks, one at a
 * time, the item with the best {@code diversity * relevance - (1 - diversity) * share of the items picked so far that
 * share its category}.
 */
public final class Reranking {

    public record Scored(String itemId, double score) {}

    private Reranking() {}

    public static List<Scored> topK(
            List<Scored> ranked, Map<String, ItemSignals> signals, List<Rule> rules, double diversity, int k) {
        if (ranked.isEmpty()) {
            return List.of();
        }
        double max = ranked.stream().mapToDouble(Scored::score).max().orElse(0);
        double min = ranked.stream().mapToDouble(Scored::score).min().orElse(0);
        double span = max - min > 0 ? max - min : 1;
        List<Scored> relevant = new ArrayList<>(ranked.size());
        for (Scored item : ranked) {
            double relevance = max - min > 0 ? (item.score() - min) / span : 1.0;
            relevant.add(new Scored(item.itemId(), relevance * ruleFactor(signals.get(item.itemId()), rules)));
        }
        List<Scored> picked = new ArrayList<>(Math.min(k, relevant.size()));
        Map<String, Integer> pickedPerCategory = new HashMap<>();
        boolean[] used = new boolean[relevant.size()];
        while (picked.size() < k && picked.size() < relevant.size()) {
            int best = -1;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < relevant.size(); i++) {
                if (used[i]) {
                    continue;
                }
                String category = categoryOf(signals.get(relevant.get(i).itemId()));
                double redundancy = picked.isEmpty() || category.isEmpty()
                        ? 0
                        : pickedPerCategory.getOrDefault(category, 0) / (double) picked.size();
                double value = diversity * relevant.get(i).score() - (1 - diversity) * redundancy;
                if (value > bestValue) {
                    bestValue = value;
                    best = i;
                }
            }
            used[best] = true;
            picked.add(relevant.get(best));
            pickedPerCategory.merge(categoryOf(signals.get(relevant.get(best).itemId())), 1, Integer::sum);
        }
        return picked;
    }

    private static double ruleFactor(ItemSignals item, List<Rule> rules) {
        double factor = 1;
        if (item == null) {
            return factor;
        }
        for (Rule rule : rules) {
            String actual = "category".equals(rule.attribute())
                    ? item.category()
                    : item.attributes().get(rule.attribute());
            if (rule.value().equals(actual)) {
                factor *= rule.factor();
            }
        }
        return factor;
    }

    private static String categoryOf(ItemSignals item) {
        return item == null ? "" : item.category();
    }
}
