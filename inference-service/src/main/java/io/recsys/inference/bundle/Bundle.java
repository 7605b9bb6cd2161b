package io.recsys.inference.bundle;

import io.recsys.inference.retrieval.Embeddings;
import tools.jackson.databind.JsonNode;

/** A bundle read from disk and checked: everything needed to serve it except the loaded ranker. */
public record Bundle(BundleMetadata metadata, Embeddings embeddings, FeatureLayout layout, JsonNode samples) {

    public String version() {
        return metadata.version();
    }
}
