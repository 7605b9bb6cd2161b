package io.recsys.inference.bundle;

import io.recsys.inference.bundle.BundleMetadata.Feature;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each input of the ranker's row comes from (metadata {@code ranker.features}): the service derives the user
 * vector, the item embedding and the retrieval score from the bundle; the caller sends user-scoped features once per
 * request and item-scoped features per candidate.
 */
public final class FeatureLayout {

    private static final String USER_VECTOR = "user_vector";
    private static final String ITEM_EMBEDDING = "item_embedding";
    private static final String RETRIEVAL_SCORE = "retrieval_score";

    private final int width;
    private final int dimension;
    private final int userVectorOffset;
    private final int itemEmbeddingOffset;
    private final int retrievalScoreOffset;
    private final Scoped user;
    private final Scoped item;

    /** Features of one scope, in the order callers send them. */
    public record Scoped(List<String> names, int[] offsets, boolean[] nonNegative) {

        public int size() {
            return offsets.length;
        }
    }

    private FeatureLayout(
            int width,
            int dimension,
            int userVectorOffset,
            int itemEmbeddingOffset,
            int retrievalScoreOffset,
            Scoped user,
            Scoped item) {
        this.width = width;
        this.dimension = dimension;
        this.userVectorOffset = userVectorOffset;
        this.itemEmbeddingOffset = itemEmbeddingOffset;
        this.retrievalScoreOffset = retrievalScoreOffset;
        this.user = user;
        this.item = item;
    }

    public static FeatureLayout of(List<Feature> features, int inputWidth, int dimension) throws BundleException {
        int offset = 0;
        int userVector = -1;
        int itemEmbedding = -1;
        int retrievalScore = -1;
        List<Feature> userFeatures = new ArrayList<>();
        List<Feature> itemFeatures = new ArrayList<>();
        for (Feature feature : features) {
            if (feature.offset() != offset) {
                throw new BundleException(
                        "feature " + feature.name() + " starts at " + feature.offset() + ", expected " + offset);
            }
            if (!"none".equals(feature.transform()) && !"log1p".equals(feature.transform())) {
                throw new BundleException(
                        "feature " + feature.name() + " has an unknown transform " + feature.transform());
            }
            offset += feature.width();
            switch (feature.scope() == null ? "" : feature.scope()) {
                case "derived" -> {
                    switch (feature.name()) {
                        case USER_VECTOR -> userVector = requireWidth(feature, dimension);
                        case ITEM_EMBEDDING -> itemEmbedding = requireWidth(feature, dimension);
                        case RETRIEVAL_SCORE -> retrievalScore = requireWidth(feature, 1);
                        default ->
                            throw new BundleException(
                                    "derived feature " + feature.name() + " is unknown to this server");
                    }
                }
                case "user" -> userFeatures.add(requireScalar(feature));
                case "item" -> itemFeatures.add(requireScalar(feature));
                default ->
                    throw new BundleException("feature " + feature.name() + " has an unknown scope " + feature.scope());
            }
        }
        if (offset != inputWidth) {
            throw new BundleException("features cover " + offset + " columns, the ranker's input has " + inputWidth);
        }
        return new FeatureLayout(
                inputWidth,
                dimension,
                userVector,
                itemEmbedding,
                retrievalScore,
                scoped(userFeatures),
                scoped(itemFeatures));
    }

    private static int requireWidth(Feature feature, int width) throws BundleException {
        if (feature.width() != width) {
            throw new BundleException(
                    "feature " + feature.name() + " is " + feature.width() + " wide, expected " + width);
        }
        return feature.offset();
    }

    private static Feature requireScalar(Feature feature) throws BundleException {
        requireWidth(feature, 1);
        return feature;
    }

    private static Scoped scoped(List<Feature> features) {
        int[] offsets = features.stream().mapToInt(Feature::offset).toArray();
        boolean[] nonNegative = new boolean[features.size()];
        for (int i = 0; i < nonNegative.length; i++) {
            nonNegative[i] = "log1p".equals(features.get(i).transform());
        }
        return new Scoped(features.stream().map(Feature::name).toList(), offsets, nonNegative);
    }

    public int width() {
        return width;
    }

    public Scoped user() {
        return user;
    }

    public Scoped item() {
        return item;
    }

    /**
     * Writes one candidate's row at {@code rows[at ..]}. {@code itemEmbedding} is null for an item the bundle does not
     * know (zeros); {@code userVector} is null for a shopper without history (zeros).
     */
    public void assemble(
            float[] rows,
            int at,
            float[] userVector,
            float[] embeddings,
            int itemRow,
            double retrievalScore,
            float[] userFeatures,
            float[] itemFeatures,
            int itemFeaturesAt) {
        if (userVectorOffset >= 0 && userVector != null) {
            System.arraycopy(userVector, 0, rows, at + userVectorOffset, dimension);
        }
        if (itemEmbeddingOffset >= 0 && itemRow >= 0) {
            System.arraycopy(embeddings, itemRow * dimension, rows, at + itemEmbeddingOffset, dimension);
        }
        if (retrievalScoreOffset >= 0) {
            rows[at + retrievalScoreOffset] = (float) retrievalScore;
        }
        for (int i = 0; i < user.offsets.length; i++) {
            rows[at + user.offsets[i]] = userFeatures[i];
        }
        for (int i = 0; i < item.offsets.length; i++) {
            rows[at + item.offsets[i]] = itemFeatures[itemFeaturesAt + i];
        }
    }
}
