package io.recsys.recommendation.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.contracts.recommend.v1.DepthReason;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendedItem;
import io.recsys.recommendation.candidates.PopularityCandidates;
import io.recsys.recommendation.features.FeatureStore;

class RecommendationPipelineTest {

    private static final List<ScoredItem> CATALOG_BY_POPULARITY = List.of(
            item("a", 50), item("b", 40), item("c", 30), item("d", 20), item("e", 10));

    /** Serves fixed histories and a fixed popularity ranking, honouring exclusions like the real store. */
    private static final class FixedFeatures implements FeatureStore {
        @Override
        public UserHistory userHistory(String userId, int recentLimit) {
            return userId.equals("alice") ? new UserHistory(userId, true, List.of("a", "c")) : new UserHistory(userId, false, List.of());
        }

        @Override
        public List<ScoredItem> popular(int limit, Set<String> excluded) {
            return CATALOG_BY_POPULARITY.stream().filter(i -> !excluded.contains(i.getItemId())).limit(limit).toList();
        }
    }

    private final FeatureStore features = new FixedFeatures();
    private final RecommendationPipeline pipeline = new RecommendationPipeline(features, new PopularityCandidates(features),
            new RecommendationProperties(10, 200, 500, 100, Duration.ofMillis(250)), new SimpleMeterRegistry());

    private static ScoredItem item(String id, double score) {
        return ScoredItem.newBuilder().setItemId(id).setScore(score).build();
    }

    @Test
    void aKnownUserGetsPopularItemsSheHasNotInteractedWithBestFirst() {
        RecommendResponse response = pipeline.recommend(RecommendRequest.newBuilder().setUserId("alice").build(), 2);

        assertThat(response.getItemsList()).extracting(RecommendedItem::getItemId).containsExactly("b", "d");
        assertThat(response.getItemsList()).isSortedAccordingTo(Comparator.comparingDouble(RecommendedItem::getScore).reversed());
        assertThat(response.getItems(0).getSourcesList()).containsExactly(CandidateSource.CANDIDATE_SOURCE_POPULARITY);
        assertThat(response.getColdStart()).isFalse();
        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
        assertThat(response.getDepthReasonsList()).isEmpty();
        assertThat(response.getModelVersion()).isEqualTo("popularity");
    }

    @Test
    void anUnknownUserIsAColdStartNotAnError() {
        RecommendResponse response = pipeline.recommend(RecommendRequest.newBuilder().setUserId("nobody").build(), 3);

        assertThat(response.getColdStart()).isTrue();
        assertThat(response.getItemsList()).extracting(RecommendedItem::getItemId).containsExactly("a", "b", "c");
    }

    @Test
    void callerExclusionsAddToTheUsersHistory() {
        RecommendResponse response = pipeline.recommend(RecommendRequest.newBuilder().setUserId("alice").addExcludeItemIds("b").build(), 5);

        assertThat(response.getItemsList()).extracting(RecommendedItem::getItemId).containsExactly("d", "e");
    }

    @Test
    void aCallerCapOnDepthIsReportedWithItsReason() {
        RecommendResponse response = pipeline.recommend(RecommendRequest.newBuilder().setUserId("alice")
                .setMaxDepth(PredictionDepth.PREDICTION_DEPTH_MINIMAL).build(), 1);

        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_MINIMAL);
        assertThat(response.getDepthReasonsList()).containsExactly(DepthReason.DEPTH_REASON_CALLER_LIMIT);
        assertThat(response.getDepthDetail()).isEqualTo("the caller asked for at most MINIMAL");
    }
}
