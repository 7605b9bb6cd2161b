package io.recsys.inference.bundle;

import io.recsys.inference.retrieval.Embeddings;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;

/** A bundle read from disk and checked: everything needed to serve it except the loaded ranker. */
public record Bundle(
        Path directory, BundleMetadata metadata, Embeddings embeddings, FeatureLayout layout, JsonNode samples) {

    public Path rankerFile() {
        return directory.resolve(metadata.ranker().file());
    }

    public String version() {
        return metadata.version();
    }
}
