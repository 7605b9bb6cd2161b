package io.recsys.gateway.api;

import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.contracts.recommend.v1.DepthReason;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import java.util.List;

/** What a front end shows: items best first, and how deep the prediction went (and why, when not full). */
public record RecommendationsJson(
        String userId,
        List<Item> items,
        String modelVersion,
        String depth,
        List<String> depthReasons,
        String depthDetail,
        boolean coldStart) {

    public record Item(String itemId, double score, List<String> sources) {}

    static RecommendationsJson from(RecommendResponse response) {
        List<Item> items = response.getItemsList().stream()
                .map(item -> new Item(
                        item.getItemId(),
                        item.getScore(),
                        item.getSourcesList().stream()
                                .map(RecommendationsJson::name)
                                .toList()))
                .toList();
        return new RecommendationsJson(
                response.getUserId(),
                items,
                response.getModelVersion(),
                name(response.getDepth()),
                response.getDepthReasonsList().stream()
                        .map(RecommendationsJson::name)
                        .toList(),
                response.getDepthDetail(),
                response.getColdStart());
    }

    static String name(PredictionDepth depth) {
        return PublicNames.of(depth, "PREDICTION_DEPTH_");
    }

    private static String name(CandidateSource source) {
        return PublicNames.of(source, "CANDIDATE_SOURCE_");
    }

    private static String name(DepthReason reason) {
        return PublicNames.of(reason, "DEPTH_REASON_");
    }
}
