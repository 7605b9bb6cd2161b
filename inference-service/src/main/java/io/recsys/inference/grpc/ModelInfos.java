package io.recsys.inference.grpc;

import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.inference.v1.FeatureContract;
import io.recsys.contracts.inference.v1.ModelInfo;
import io.recsys.contracts.inference.v1.ModelState;
import io.recsys.inference.bundle.BundleMetadata;
import io.recsys.inference.bundle.BundleReader;
import io.recsys.inference.model.LoadedModel;
import io.recsys.inference.model.ModelLoader;
import io.recsys.inference.model.ModelRegistry;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** What is served, for ModelInfo and the health endpoint. */
@Component
public class ModelInfos {

    private final ModelRegistry registry;
    private final ModelLoader loader;

    public ModelInfos(ModelRegistry registry, ModelLoader loader) {
        this.registry = registry;
        this.loader = loader;
    }

    public ModelInfo current() {
        ModelInfo.Builder info = ModelInfo.newBuilder()
                .setState(ModelState.valueOf("MODEL_STATE_" + registry.state().name()))
                .setEngine("OnnxRuntime")
                .setDevice(loader.device().toString())
                .setLastError(registry.status().lastError());
        registry.peek().ifPresent(model -> describe(model, info));
        return info.build();
    }

    private static void describe(LoadedModel model, ModelInfo.Builder info) {
        BundleMetadata metadata = model.bundle().metadata();
        info.setName(metadata.name())
                .setVersion(metadata.version())
                .setBundleFormatVersion(Integer.toString(BundleReader.FORMAT_VERSION))
                .addAllUserFeatureNames(model.bundle().layout().user().names())
                .addAllItemFeatureNames(model.bundle().layout().item().names())
                .setEmbeddingDimension(model.bundle().embeddings().dimension())
                .setItemCount(model.bundle().embeddings().itemCount())
                .setDevice(model.device())
                .setLoadedAt(EventLogCodec.toTimestamp(model.loadedAt()))
                .putAllOfflineMetrics(metrics(metadata.metrics()));
        if (metadata.cheapScores() != null) {
            info.putAllCheapScoreWeights(metadata.cheapScores().weights());
        }
        if (metadata.featureContract() != null) {
            info.setFeatureContract(contract(metadata.featureContract()));
        }
    }

    private static FeatureContract contract(BundleMetadata.FeatureContract contract) {
        BundleMetadata.Cooccurrence cooccurrence = contract.cooccurrence();
        return FeatureContract.newBuilder()
                .setRecentEvents(contract.recentList().events())
                .setRetrievalItems(contract.recentList().retrievalItems())
                .setCooccurrenceSeeds(cooccurrence.seedItems())
                .setNeighboursPerSeed(cooccurrence.neighboursPerSeed())
                .setPairsPerEvent(cooccurrence.pairsPerEvent())
                .setLookBackEvents(cooccurrence.lookBackEvents())
                .setNeighboursKept(cooccurrence.neighboursKept())
                .putAllPopularityWindowsSeconds(contract.popularityWindowsSeconds())
                .putAllCandidates(contract.candidates())
                .build();
    }

    /** Numeric metrics of the bundle: validation ones, and our model's row of the offline evaluation when present. */
    static Map<String, Double> metrics(JsonNode metrics) {
        Map<String, Double> flat = new java.util.TreeMap<>();
        if (metrics == null) {
            return flat;
        }
        metrics.path("validation").properties().forEach(e -> {
            if (e.getValue().isNumber()) {
                flat.put("validation." + e.getKey(), e.getValue().asDouble());
            }
        });
        metrics.path("offline_evaluation")
                .path("retrieval + ranker (ours)")
                .properties()
                .forEach(e -> {
                    if (e.getValue().isNumber()) {
                        flat.put("offline." + e.getKey(), e.getValue().asDouble());
                    }
                });
        return flat;
    }
}
