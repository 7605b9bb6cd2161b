package io.recsys.recommendation.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.contracts.recommend.v1.DepthReason;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendedItem;
import io.recsys.recommendation.reranking.Rule;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecommendationPipelineTest {

    private final Fakes.Features features = new Fakes.Features();
    private final Fakes.Model model = new Fakes.Model();

    private RecommendResponse recommend(RecommendationPipeline pipeline, RecommendRequest.Builder request) {
        return pipeline.recommend(request.build(), 10);
    }

    private static List<String> ids(RecommendResponse response) {
        return response.getItemsList().stream().map(RecommendedItem::getItemId).toList();
    }

    private static RecommendRequest.Builder alice() {
        return RecommendRequest.newBuilder().setUserId("alice");
    }

    @Test
    void atFullDepthEverySourceProposesTheModelOrdersAndSeenOrUnavailableItemsStayOut() {
        RecommendResponse response =
                recommend(Fakes.pipeline(features, model, Fakes.properties(1.0, List.of())), alice());

        // b, f from embeddings; d, e co-occurring with c; b, f, g popular; h trending; a and c seen; g unavailable
        assertThat(ids(response)).containsExactly("h", "f", "e", "d", "b");
        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
        assertThat(response.getDepthReasonsList()).isEmpty();
        assertThat(response.getModelVersion()).isEqualTo("m-7");
        assertThat(response.getColdStart()).isFalse();
        RecommendedItem b = response.getItemsList().stream()
                .filter(i -> i.getItemId().equals("b"))
                .findFirst()
                .orElseThrow();
        assertThat(b.getSourcesList())
                .containsExactly(
                        CandidateSource.CANDIDATE_SOURCE_EMBEDDING, CandidateSource.CANDIDATE_SOURCE_POPULARITY);
        assertThat(response.getItems(0).getSourcesList()).containsExactly(CandidateSource.CANDIDATE_SOURCE_TRENDING);
        assertThat(model.lastItemFeatures).containsExactlyInAnyOrder("b", "f", "d", "e", "h");
    }

    @Test
    void diversitySpreadsTheListOverCategoriesAndRulesBoostOrBury() {
        // relevance h 1, f .67, e .5, d .33, b 0; h, f, e are garden, d and b kitchen
        assertThat(ids(recommend(Fakes.pipeline(features, model, Fakes.properties(0.5, List.of())), alice())))
                .startsWith("h", "d");
        assertThat(ids(recommend(
                        Fakes.pipeline(
                                features, model, Fakes.properties(1.0, List.of(new Rule("category", "kitchen", 4.0)))),
                        alice())))
                .startsWith("d");
        assertThat(ids(recommend(
                        Fakes.pipeline(
                                features, model, Fakes.properties(1.0, List.of(new Rule("category", "garden", 0.1)))),
                        alice())))
                .startsWith("d", "h");
    }

    @Test
    void aFailingRankerGivesAMinimalAnswerNotAnError() {
        model.failure.set(Status.UNAVAILABLE);

        RecommendResponse response =
                recommend(Fakes.pipeline(features, model, Fakes.properties(1.0, List.of())), alice());

        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_MINIMAL);
        assertThat(response.getDepthReasonsList()).contains(DepthReason.DEPTH_REASON_DEPENDENCY_FAILED);
        assertThat(response.getDepthDetail())
                .contains("embedding candidates unavailable")
                .contains("ranking failed: UNAVAILABLE");
        assertThat(response.getModelVersion()).isEqualTo("cheap-scores");
        assertThat(ids(response)).first().isEqualTo("d"); // the strongest co-occurrence with her purchase
        assertThat(ids(response)).doesNotContain("a", "c", "g");
    }

    @Test
    void aSourceThatDropsOutLeavesAPartialAnswerThatSaysSo() {
        model.retrieveFailure.set(Status.DEADLINE_EXCEEDED);

        RecommendResponse response =
                recommend(Fakes.pipeline(features, model, Fakes.properties(1.0, List.of())), alice());

        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_REDUCED);
        assertThat(response.getDepthReasonsList()).containsExactly(DepthReason.DEPTH_REASON_DEPENDENCY_FAILED);
        assertThat(response.getDepthDetail()).isEqualTo("embedding candidates unavailable");
        assertThat(response.getModelVersion()).isEqualTo("m-7"); // still ranked by the model
        assertThat(ids(response)).containsExactly("h", "f", "e", "d", "b"); // b and f still come as popular items
    }

    @Test
    void aCallerCappedAtMinimalCostsNoModelCall() {
        RecommendResponse response = recommend(
                Fakes.pipeline(features, model, Fakes.properties(1.0, List.of())),
                alice().setMaxDepth(PredictionDepth.PREDICTION_DEPTH_MINIMAL));

        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_MINIMAL);
        assertThat(response.getDepthReasonsList()).containsExactly(DepthReason.DEPTH_REASON_CALLER_LIMIT);
        assertThat(model.rankCalls).hasValue(0);
        assertThat(model.retrieveCalls).hasValue(0);
        assertThat(response.getItemsCount()).isPositive();
    }

    @Test
    void atMinimalTheServedBundlesLearnedWeightsScore() {
        RecommendationPipeline pipeline = Fakes.pipeline(features, model, Fakes.properties(1.0, List.of()));
        RecommendRequest.Builder minimal = alice().setMaxDepth(PredictionDepth.PREDICTION_DEPTH_MINIMAL);

        // hand-set: co-occurrence with what she bought leads (d is c's strongest neighbour)
        assertThat(ids(recommend(pipeline, minimal)).getFirst()).isEqualTo("d");
        // a bundle that learned all-time popularity alone: the most popular item she has not had leads
        model.cheapScoreWeights = Map.of("cooccurrence", 0.0, "item_popularity_7d", 0.0, "item_popularity", 1.0);
        assertThat(ids(recommend(pipeline, minimal)).getFirst()).isEqualTo("b");
    }

    @Test
    void withoutAServedModelTheAnswerIsMinimalAndSaysWhy() {
        model.serving = false;

        RecommendResponse response =
                recommend(Fakes.pipeline(features, model, Fakes.properties(1.0, List.of())), alice());

        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_MINIMAL);
        assertThat(response.getDepthReasonsList()).containsExactly(DepthReason.DEPTH_REASON_NO_MODEL);
        assertThat(model.rankCalls).hasValue(0);
    }

    @Test
    void aFeatureStoreOutageFallsBackToTheCachedPopularList() {
        RecommendationPipeline pipeline = Fakes.pipeline(features, model, Fakes.properties(1.0, List.of()));
        recommend(pipeline, alice()); // fills the cache
        features.failure.set(Status.UNAVAILABLE);

        RecommendResponse response = recommend(pipeline, alice().addExcludeItemIds("b"));

        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FALLBACK);
        assertThat(response.getDepthReasonsList()).containsExactly(DepthReason.DEPTH_REASON_DEPENDENCY_FAILED);
        assertThat(ids(response)).containsExactly("a", "c", "f", "g");
        assertThat(response.getItems(0).getSourcesList())
                .containsExactly(CandidateSource.CANDIDATE_SOURCE_CACHED_FALLBACK);
        assertThat(response.getModelVersion()).isEqualTo("popularity");
    }

    @Test
    void atFallbackHerHistoryIsStillReadSoTheCachedListOmitsWhatSheHasOnTheSameScale() {
        RecommendationPipeline pipeline = Fakes.pipeline(features, model, Fakes.properties(1.0, List.of()));

        RecommendResponse response =
                recommend(pipeline, alice().setMaxDepth(PredictionDepth.PREDICTION_DEPTH_FALLBACK));

        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FALLBACK);
        // a (viewed) and c (bought) are hers: the popular list without them
        assertThat(ids(response)).containsExactly("b", "f", "g");
        assertThat(response.getColdStart()).isFalse();
        // the list's scores (50, 40, 30, 20, 15) over its best one
        assertThat(response.getItemsList())
                .extracting(RecommendedItem::getScore)
                .containsExactly(0.8, 0.4, 0.3);

        RecommendResponse newcomer = recommend(
                pipeline,
                RecommendRequest.newBuilder().setUserId("bob").setMaxDepth(PredictionDepth.PREDICTION_DEPTH_FALLBACK));
        assertThat(newcomer.getColdStart()).isTrue();
    }

    @Test
    void withNothingCachedAnOutageIsUnavailableRatherThanAnEmptyAnswer() {
        features.failure.set(Status.UNAVAILABLE);

        assertThatThrownBy(() -> recommend(Fakes.pipeline(features, model, Fakes.properties(1.0, List.of())), alice()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void aNewcomerGetsPopularAndTrendingItemsRankedByPopularity() {
        RecommendResponse response = recommend(
                Fakes.pipeline(features, model, Fakes.properties(1.0, List.of())),
                RecommendRequest.newBuilder().setUserId("bob").addExcludeItemIds("a"));

        assertThat(response.getColdStart()).isTrue();
        assertThat(ids(response)).containsExactly("b", "c", "f", "h");
        assertThat(response.getModelVersion()).isEqualTo("cheap-scores");
        assertThat(response.getDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
        assertThat(model.rankCalls).hasValue(0);
    }
}
