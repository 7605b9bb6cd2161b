package io.recsys.inference.retrieval;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A bundle's retrieval half: item and context embeddings (row-major, one row per item) and the rule that turns a
 * shopper's recent items into a user vector.
 *
 * @param decay recency weight factor: the k-th newest item weighs {@code decay^k}
 * @param maxItems how many of the newest recent items count
 */
public record Embeddings(
        String[] itemIds,
        Map<String, Integer> rows,
        int dimension,
        float[] items,
        float[] context,
        double decay,
        int maxItems) {

    public static Embeddings of(
            String[] itemIds, int dimension, float[] items, float[] context, double decay, int maxItems) {
        Map<String, Integer> rows = new HashMap<>(itemIds.length * 2);
        for (int i = 0; i < itemIds.length; i++) {
            rows.put(itemIds[i], i);
        }
        return new Embeddings(itemIds, Map.copyOf(rows), dimension, items, context, decay, maxItems);
    }

    public int itemCount() {
        return itemIds.length;
    }

    public int rowOf(String itemId) {
        Integer row = rows.get(itemId);
        return row == null ? -1 : row;
    }

    /**
     * The user vector of recent items (newest first): the weighted mean of their context rows, with the caller's
     * weights or else {@code decay^k}. Unknown items are skipped; none known: empty.
     */
    public Optional<float[]> userVector(List<String> recentItems, List<Float> weights) {
        double[] sum = new double[dimension];
        double totalWeight = 0;
        int considered = Math.min(recentItems.size(), maxItems);
        for (int k = 0; k < considered; k++) {
            int row = rowOf(recentItems.get(k));
            if (row < 0) {
                continue;
            }
            double weight = weights.isEmpty() ? Math.pow(decay, k) : weights.get(k);
            int base = row * dimension;
            for (int j = 0; j < dimension; j++) {
                sum[j] += weight * context[base + j];
            }
            totalWeight += weight;
        }
        if (totalWeight <= 0) {
            return Optional.empty();
        }
        float[] vector = new float[dimension];
        for (int j = 0; j < dimension; j++) {
            vector[j] = (float) (sum[j] / totalWeight);
        }
        return Optional.of(vector);
    }

    /** user vector · item embedding of one row, accumulated in double. */
    public double score(float[] userVector, int row) {
        double dot = 0;
        int base = row * dimension;
        for (int j = 0; j < dimension; j++) {
            dot += (double) userVector[j] * items[base + j];
        }
        return dot;
    }
}
