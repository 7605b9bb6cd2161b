package io.recsys.recommendation.inference;

import io.recsys.contracts.common.v1.ScoredItem;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the pipeline asks of the inference-service. */
public interface ModelClient {

    /** The model being served and the features its ranker takes; empty when none is (or it cannot be asked). */
    Optional<ModelSchema> schema();

    /** Items nearest to the shopper's recent items (newest first) by the bundle's embeddings. */
    List<ScoredItem> retrieve(List<String> recentItemIds, int topK, Collection<String> excluded, Duration timeout);

    /** Scores in the candidates' order; {@code itemFeatures[i]} ordered as {@link ModelSchema#itemFeatureNames()}. */
    Scores rank(
            List<String> recentItemIds,
            float[] userFeatures,
            List<String> itemIds,
            float[][] itemFeatures,
            Duration timeout);

    /**
     * @param cheapScoreWeights the MINIMAL scorer's weights learned with the bundle, by signal name; empty when the
     *     bundle has none
     * @param contract how the bundle's inputs are computed (the platform's rules for a bundle that does not say)
     */
    record ModelSchema(
            String version,
            List<String> userFeatureNames,
            List<String> itemFeatureNames,
            Map<String, Double> cheapScoreWeights,
            FeatureContract contract) {}

    record Scores(String modelVersion, float[] values) {}
}
