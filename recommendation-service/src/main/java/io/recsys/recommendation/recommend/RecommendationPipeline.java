package io.recsys.recommendation.recommend;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.recsys.contracts.recommend.v1.DepthReason;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendedItem;
import io.recsys.recommendation.candidates.Candidate;
import io.recsys.recommendation.candidates.PopularityCandidates;
import io.recsys.recommendation.features.FeatureStore;

/**
 * One recommendation, stage by stage: the user's history, candidates without what the user already
 * interacted with or the caller excluded, best first. Popularity is today's only source and scorer,
 * and the answer says so (model version "popularity"); embedding and co-occurrence candidates, neural
 * ranking and depth control join here as further stages.
 */
@Component
public class RecommendationPipeline {

    static final String POPULARITY_SCORER = "popularity";

    private final FeatureStore features;
    private final PopularityCandidates popularity;
    private final RecommendationProperties properties;
    private final Timer latency;

    public RecommendationPipeline(FeatureStore features, PopularityCandidates popularity, RecommendationProperties properties,
            MeterRegistry meters) {
        this.features = features;
        this.popularity = popularity;
        this.properties = properties;
        this.latency = Timer.builder("recsys.recommend.pipeline").description("Time to build one recommendation")
                .publishPercentileHistogram().register(meters);
    }

    public RecommendResponse recommend(RecommendRequest request, int limit) {
        return latency.record(() -> run(request, limit));
    }

    private RecommendResponse run(RecommendRequest request, int limit) {
        FeatureStore.UserHistory history = features.userHistory(request.getUserId(), properties.recentItemsUsed());
        Set<String> excluded = new HashSet<>(history.recentItemIds());
        excluded.addAll(request.getExcludeItemIdsList());
        List<Candidate> ranked = popularity.candidates(limit, excluded);

        RecommendResponse.Builder response = RecommendResponse.newBuilder()
                .setUserId(request.getUserId())
                .setModelVersion(POPULARITY_SCORER)
                .setColdStart(!history.known());
        ranked.forEach(candidate -> response.addItems(RecommendedItem.newBuilder()
                .setItemId(candidate.itemId())
                .setScore(candidate.score())
                .addAllSources(candidate.sources().stream().sorted().toList())));
        return withDepth(response, request.getMaxDepth()).build();
    }

    // Popularity is all the work any level does today, so the level served is FULL unless the caller capped it.
    private static RecommendResponse.Builder withDepth(RecommendResponse.Builder response, PredictionDepth cap) {
        if (cap == PredictionDepth.PREDICTION_DEPTH_UNSPECIFIED || cap == PredictionDepth.PREDICTION_DEPTH_FULL) {
            return response.setDepth(PredictionDepth.PREDICTION_DEPTH_FULL);
        }
        return response.setDepth(cap)
                .addDepthReasons(DepthReason.DEPTH_REASON_CALLER_LIMIT)
                .setDepthDetail("the caller asked for at most " + cap.name().substring("PREDICTION_DEPTH_".length()));
    }
}
