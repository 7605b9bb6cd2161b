package io.recsys.inference.grpc;

import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.inference.v1.RecentItems;
import io.recsys.inference.retrieval.Embeddings;

/** A user vector from a request's recent items, by the bundle's rule; null when no recent item is known. */
final class UserVectors {

    private UserVectors() {}

    static float[] of(RecentItems recent, Embeddings embeddings, String field, FieldViolations violations) {
        if (recent.getWeightsCount() > 0 && recent.getWeightsCount() != recent.getItemIdsCount()) {
            violations.add(
                    field + ".weights",
                    "one weight per item when given: " + recent.getItemIdsCount() + " items, "
                            + recent.getWeightsCount() + " weights");
            return null;
        }
        if (recent.getWeightsList().stream().anyMatch(w -> !Float.isFinite(w) || w < 0)) {
            violations.add(field + ".weights", "must be finite and not negative");
            return null;
        }
        return embeddings
                .userVector(recent.getItemIdsList(), recent.getWeightsList())
                .orElse(null);
    }
}
