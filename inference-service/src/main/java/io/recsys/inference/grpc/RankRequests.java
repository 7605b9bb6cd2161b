package io.recsys.inference.grpc;

import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.inference.v1.RankCandidate;
import io.recsys.contracts.inference.v1.RankRequest;
import io.recsys.inference.bundle.Bundle;
import io.recsys.inference.bundle.FeatureLayout;
import io.recsys.inference.ranking.RowAssembler;
import java.util.List;

/** Checks a Rank request against the bundle that will score it and builds its input rows. */
final class RankRequests {

    private RankRequests() {}

    /** The rows to score; INVALID_ARGUMENT naming every bad field otherwise. */
    static float[] rows(RankRequest request, Bundle bundle, int maxCandidates) {
        FeatureLayout layout = bundle.layout();
        FieldViolations violations = new FieldViolations();
        int candidates = request.getCandidatesCount();
        if (candidates == 0) {
            violations.add("candidates", "at least one candidate is needed");
        } else if (candidates > maxCandidates) {
            violations.add("candidates", "at most " + maxCandidates + " candidates per call, got " + candidates);
        }
        checkValues(
                request.getUserFeaturesCount(), request::getUserFeatures, layout.user(), "user_features", violations);
        if (candidates <= maxCandidates) {
            for (int i = 0; i < candidates; i++) {
                RankCandidate candidate = request.getCandidates(i);
                if (candidate.getItemId().isEmpty()) {
                    violations.add("candidates[" + i + "].item_id", "is required");
                }
                checkValues(
                        candidate.getFeaturesCount(),
                        candidate::getFeatures,
                        layout.item(),
                        "candidates[" + i + "].features",
                        violations);
            }
        }
        float[] userVector = null;
        if (request.hasUserVector()) {
            List<Float> values = request.getUserVector().getValuesList();
            if (values.size() != bundle.embeddings().dimension()) {
                violations.add(
                        "user_vector.values",
                        "must hold " + bundle.embeddings().dimension() + " values, got " + values.size());
            } else if (values.stream().anyMatch(v -> !Float.isFinite(v))) {
                violations.add("user_vector.values", "must be finite numbers");
            } else {
                userVector = toArray(values);
            }
        } else if (request.hasRecentItems()) {
            userVector = UserVectors.of(request.getRecentItems(), bundle.embeddings(), "recent_items", violations);
        }
        violations.throwIfAny();
        int itemWidth = layout.item().size();
        String[] ids = new String[candidates];
        float[] itemFeatures = new float[candidates * itemWidth];
        for (int i = 0; i < candidates; i++) {
            RankCandidate candidate = request.getCandidates(i);
            ids[i] = candidate.getItemId();
            for (int j = 0; j < itemWidth; j++) {
                itemFeatures[i * itemWidth + j] = candidate.getFeatures(j);
            }
        }
        float[] userFeatures = new float[request.getUserFeaturesCount()];
        for (int i = 0; i < userFeatures.length; i++) {
            userFeatures[i] = request.getUserFeatures(i);
        }
        return RowAssembler.assemble(bundle, userVector, userFeatures, ids, itemFeatures);
    }

    /** Checks values by primitive accessor: a request may carry 500 candidates, boxing each value costs. */
    private static void checkValues(
            int count, IntToFloat values, FeatureLayout.Scoped expected, String field, FieldViolations violations) {
        if (count != expected.size()) {
            violations.add(field, "must hold " + expected.size() + " values " + expected.names() + ", got " + count);
            return;
        }
        for (int i = 0; i < count; i++) {
            float value = values.get(i);
            if (!Float.isFinite(value)) {
                violations.add(
                        field + "[" + i + "]", expected.names().get(i) + " must be a finite number, got " + value);
            } else if (expected.nonNegative()[i] && value < 0) {
                violations.add(field + "[" + i + "]", expected.names().get(i) + " must not be negative, got " + value);
            }
        }
    }

    @FunctionalInterface
    private interface IntToFloat {
        float get(int index);
    }

    static float[] toArray(List<Float> values) {
        float[] array = new float[values.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = values.get(i);
        }
        return array;
    }
}
