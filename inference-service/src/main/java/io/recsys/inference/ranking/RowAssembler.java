package io.recsys.inference.ranking;

import io.recsys.inference.bundle.Bundle;
import io.recsys.inference.bundle.FeatureLayout;
import io.recsys.inference.retrieval.Embeddings;

/** Builds the ranker's input rows for one request: shared user inputs, per-candidate item inputs, derived ones. */
public final class RowAssembler {

    private RowAssembler() {}

    /**
     * @param userVector null for a shopper without history (zeros)
     * @param itemFeatures the candidates' item-scoped features back to back, {@code layout.item().size()} each
     */
    public static float[] assemble(
            Bundle bundle, float[] userVector, float[] userFeatures, String[] itemIds, float[] itemFeatures) {
        FeatureLayout layout = bundle.layout();
        Embeddings embeddings = bundle.embeddings();
        int width = layout.width();
        int itemWidth = layout.item().size();
        float[] rows = new float[itemIds.length * width];
        for (int c = 0; c < itemIds.length; c++) {
            int row = embeddings.rowOf(itemIds[c]);
            double retrievalScore = userVector != null && row >= 0 ? embeddings.score(userVector, row) : 0.0;
            layout.assemble(
                    rows,
                    c * width,
                    userVector,
                    embeddings.items(),
                    row,
                    retrievalScore,
                    userFeatures,
                    itemFeatures,
                    c * itemWidth);
        }
        return rows;
    }
}
