package io.recsys.features.grpc;

import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.features.v1.GetChangedItemsRequest;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.contracts.features.v1.GetItemNeighborsRequest;
import io.recsys.contracts.features.v1.GetPopularItemsRequest;
import io.recsys.contracts.features.v1.PopularityWindow;
import io.recsys.contracts.validation.Identifiers;
import io.recsys.features.store.FeatureStoreProperties;
import org.springframework.stereotype.Component;

/** Rejects malformed reads with INVALID_ARGUMENT naming the field. */
@Component
public class FeatureRequestValidator {

    private final FeatureStoreProperties properties;

    public FeatureRequestValidator(FeatureStoreProperties properties) {
        this.properties = properties;
    }

    public void check(GetFeaturesRequest request) {
        FieldViolations violations = new FieldViolations();
        if (!request.getUserId().isEmpty()) {
            Identifiers.problem(request.getUserId()).ifPresent(p -> violations.add("user_id", p));
        }
        if (request.getItemIdsCount() > properties.maxItemsPerRequest()) {
            violations.add(
                    "item_ids",
                    "at most " + properties.maxItemsPerRequest() + " items per request, got "
                            + request.getItemIdsCount());
        } else {
            for (int i = 0; i < request.getItemIdsCount(); i++) {
                int index = i;
                Identifiers.problem(request.getItemIds(i)).ifPresent(p -> violations.add("item_ids[" + index + "]", p));
            }
        }
        if (request.getRecentLimit() < 0 || request.getRecentLimit() > properties.recentItemsKept()) {
            violations.add("recent_limit", "must be between 0 (service default) and " + properties.recentItemsKept());
        }
        if (request.getNeighbourSeeds() < 0 || request.getNeighbourSeeds() > properties.recentItemsKept()) {
            violations.add("neighbour_seeds", "must be between 0 (none) and " + properties.recentItemsKept());
        } else if (request.getNeighbourSeeds() > 0 && request.getUserId().isEmpty()) {
            violations.add("neighbour_seeds", "needs a user_id: the seeds are her most recent items");
        }
        if (request.getNeighboursPerSeed() < 0) {
            violations.add("neighbours_per_seed", "must not be negative (0: the default)");
        }
        violations.throwIfAny();
    }

    public void check(GetPopularItemsRequest request) {
        FieldViolations violations = new FieldViolations();
        if (request.getLimit() < 1 || request.getLimit() > properties.maxPopularLimit()) {
            violations.add("limit", "must be between 1 and " + properties.maxPopularLimit());
        }
        if (request.getWindow() == PopularityWindow.UNRECOGNIZED) {
            violations.add("window", "unknown popularity window " + request.getWindowValue());
        }
        violations.throwIfAny();
    }

    public void check(GetItemNeighborsRequest request) {
        FieldViolations violations = new FieldViolations();
        if (request.getItemIdsCount() > properties.maxItemsPerRequest()) {
            violations.add("item_ids", "at most " + properties.maxItemsPerRequest() + " items per request");
        } else {
            for (int i = 0; i < request.getItemIdsCount(); i++) {
                int index = i;
                Identifiers.problem(request.getItemIds(i)).ifPresent(p -> violations.add("item_ids[" + index + "]", p));
            }
        }
        // more than the store keeps is clamped, not refused (the answer names the limit applied)
        if (request.getLimitPerItem() < 0) {
            violations.add(
                    "limit_per_item",
                    "must not be negative (0: the default, " + FeatureGrpcService.DEFAULT_NEIGHBOURS + ")");
        }
        violations.throwIfAny();
    }

    public void check(GetChangedItemsRequest request) {
        FieldViolations violations = new FieldViolations();
        if (request.getChangedSinceMillis() < 0) {
            violations.add("changed_since_millis", "must not be negative (0: every item)");
        }
        if (request.getLimit() < 0 || request.getLimit() > properties.maxItemsPerRequest()) {
            violations.add(
                    "limit", "must be between 0 (the largest page, " + properties.maxItemsPerRequest() + ") and that");
        }
        violations.throwIfAny();
    }
}
