package io.recsys.recommendation.grpc;

import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.validation.Identifiers;
import io.recsys.recommendation.recommend.RecommendationProperties;
import org.springframework.stereotype.Component;

/** Rejects malformed requests with INVALID_ARGUMENT naming each bad field. */
@Component
public class RecommendRequestValidator {

    private final RecommendationProperties properties;

    public RecommendRequestValidator(RecommendationProperties properties) {
        this.properties = properties;
    }

    public void check(RecommendRequest request) {
        FieldViolations violations = new FieldViolations();
        Identifiers.problem(request.getUserId()).ifPresent(p -> violations.add("user_id", p));
        if (request.getLimit() < 0 || request.getLimit() > properties.maxLimit()) {
            violations.add(
                    "limit",
                    "must be between 1 and " + properties.maxLimit() + " (0 means " + properties.defaultLimit() + ")");
        }
        if (request.getExcludeItemIdsCount() > properties.maxExclusions()) {
            violations.add(
                    "exclude_item_ids",
                    "at most " + properties.maxExclusions() + " items, got " + request.getExcludeItemIdsCount());
        } else {
            for (int i = 0; i < request.getExcludeItemIdsCount(); i++) {
                int index = i;
                Identifiers.problem(request.getExcludeItemIds(i))
                        .ifPresent(p -> violations.add("exclude_item_ids[" + index + "]", p));
            }
        }
        if (request.getMaxDepth() == PredictionDepth.UNRECOGNIZED) {
            violations.add("max_depth", "unknown prediction depth " + request.getMaxDepthValue());
        }
        violations.throwIfAny();
    }

    public int limitOf(RecommendRequest request) {
        return request.getLimit() == 0 ? properties.defaultLimit() : request.getLimit();
    }
}
