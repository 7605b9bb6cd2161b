package io.recsys.recommendation.features;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.features.v1.FeatureStatus;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.contracts.features.v1.GetPopularItemsRequest;
import io.recsys.contracts.features.v1.Interaction;
import io.recsys.contracts.features.v1.UserFeatures;
import io.recsys.recommendation.recommend.RecommendationProperties;

/** The feature-service over gRPC; each call carries its own deadline, bounded by the caller's. */
@Component
public class GrpcFeatureStore implements FeatureStore {

    private final FeatureServiceGrpc.FeatureServiceBlockingStub stub;
    private final RecommendationProperties properties;

    public GrpcFeatureStore(FeatureServiceGrpc.FeatureServiceBlockingStub stub, RecommendationProperties properties) {
        this.stub = stub;
        this.properties = properties;
    }

    @Override
    public UserHistory userHistory(String userId, int recentLimit) {
        UserFeatures user = withDeadline().getFeatures(GetFeaturesRequest.newBuilder()
                .setUserId(userId).setRecentLimit(recentLimit).build()).getUser();
        List<String> recent = user.getRecentList().stream().map(Interaction::getItemId).distinct().toList();
        return new UserHistory(userId, user.getStatus() != FeatureStatus.FEATURE_STATUS_NOT_FOUND, recent);
    }

    @Override
    public List<ScoredItem> popular(int limit, Set<String> excluded) {
        return withDeadline().getPopularItems(GetPopularItemsRequest.newBuilder()
                .setLimit(limit).addAllExcludeItemIds(excluded).build()).getItemsList();
    }

    private FeatureServiceGrpc.FeatureServiceBlockingStub withDeadline() {
        return stub.withDeadlineAfter(properties.featureTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
}
