package io.recsys.inference.bundle;

import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** metadata.json of a bundle, format version 1 (docs/model-bundle.md); fields not needed to serve are ignored. */
public record BundleMetadata(
        int formatVersion,
        String name,
        String version,
        String createdAt,
        Ranker ranker,
        Retrieval retrieval,
        Samples samples,
        CheapScores cheapScores,
        FeatureContract featureContract,
        JsonNode metrics,
        Map<String, FileEntry> files) {

    public record Ranker(
            String file,
            String format,
            int opset,
            Tensor input,
            Tensor output,
            boolean higherIsBetter,
            List<Feature> features) {}

    public record Tensor(String name, String dtype, List<Integer> shape) {}

    public record Feature(String name, int offset, int width, String transform, String scope) {}

    public record Retrieval(
            int dimension, Items items, Matrix itemEmbeddings, Matrix contextEmbeddings, UserVectorRule userVector) {}

    public record Items(String file, int count) {}

    public record Matrix(String file, String dtype, String byteOrder, List<Integer> shape) {}

    public record UserVectorRule(String method, String embeddings, int maxItems, double decay) {}

    public record Samples(String file, double tolerance) {}

    /** The MINIMAL level's weights learned with the bundle; null in bundles made before they were. */
    public record CheapScores(Map<String, Double> weights) {}

    /**
     * How the platform computes the model's inputs, as the bundle was trained with them; null in bundles made before
     * the contract travelled with them.
     */
    public record FeatureContract(
            RecentList recentList,
            Cooccurrence cooccurrence,
            Map<String, Long> popularityWindowsSeconds,
            Map<String, Integer> candidates) {}

    public record RecentList(int events, int retrievalItems) {}

    public record Cooccurrence(
            int seedItems, int neighboursPerSeed, int pairsPerEvent, int lookBackEvents, int neighboursKept) {}

    public record FileEntry(String sha256, long bytes) {}
}
