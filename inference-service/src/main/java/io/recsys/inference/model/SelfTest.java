package io.recsys.inference.model;

import io.recsys.inference.bundle.Bundle;
import io.recsys.inference.bundle.BundleException;
import io.recsys.inference.ranking.RowAssembler;
import io.recsys.inference.retrieval.ExactRetriever;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Runs the samples a bundle carries (inputs and the trained model's outputs) through this server's own path: the engine
 * for raw rows, row assembly for whole requests, the retrieval rule for queries. It warms the model up and proves that
 * what will be served is what was trained; any disagreement beyond the bundle's tolerance refuses the bundle.
 */
final class SelfTest {

    private SelfTest() {}

    static void run(LoadedModel model) throws BundleException {
        Bundle bundle = model.bundle();
        JsonNode samples = bundle.samples();
        if (samples == null) {
            return;
        }
        double tolerance = bundle.metadata().samples().tolerance();
        try {
            JsonNode rows = samples.path("rows");
            float[] input = concatenated(flatten(rows.path("features")));
            check(
                    "raw rows",
                    model.score(input, rows.path("features").size()),
                    doubles(rows.path("scores")),
                    tolerance);
            int n = 0;
            for (JsonNode request : samples.path("requests")) {
                float[] userVector = bundle.embeddings()
                        .userVector(strings(request.path("recent_items")), List.of())
                        .orElse(null);
                check("request " + n + " user vector", userVector, doubles(request.path("user_vector")), tolerance);
                List<String> ids = new ArrayList<>();
                List<JsonNode> features = new ArrayList<>();
                request.path("candidates").forEach(c -> {
                    ids.add(c.path("item_id").asString());
                    features.add(c.path("features"));
                });
                float[] assembled = RowAssembler.assemble(
                        bundle,
                        userVector,
                        floats(request.path("user_features")),
                        ids.toArray(String[]::new),
                        concatenated(features));
                check("request " + n, model.score(assembled, ids.size()), doubles(request.path("scores")), tolerance);
                n++;
            }
            n = 0;
            for (JsonNode query : samples.path("retrieval")) {
                float[] userVector = bundle.embeddings()
                        .userVector(strings(query.path("recent_items")), List.of())
                        .orElseThrow(() -> new BundleException("a retrieval sample has no known recent item"));
                ExactRetriever.Hit[] hits = ExactRetriever.topK(
                        bundle.embeddings(),
                        userVector,
                        query.path("top_k").asInt(),
                        strings(query.path("exclude_item_ids")));
                List<String> expectedIds = strings(query.path("item_ids"));
                double[] expectedScores = doubles(query.path("scores"));
                java.util.Map<String, Double> expected = new java.util.HashMap<>();
                for (int i = 0; i < expectedIds.size(); i++) {
                    expected.put(expectedIds.get(i), expectedScores[i]);
                }
                if (hits.length != expectedIds.size()) {
                    throw new BundleException(
                            "retrieval sample " + n + ": " + hits.length + " items, expected " + expectedIds.size());
                }
                for (int i = 0; i < hits.length; i++) {
                    String id = bundle.embeddings().itemIds()[hits[i].row()];
                    // near ties may trade places; each item's score and each rank's score must still agree
                    double own = expected.getOrDefault(id, expectedScores[hits.length - 1]);
                    if (Math.abs(hits[i].score() - expectedScores[i]) > tolerance
                            || Math.abs(hits[i].score() - own) > tolerance) {
                        throw new BundleException(
                                "retrieval sample " + n + " rank " + i + ": " + id + " " + hits[i].score()
                                        + ", the trained model gave " + expectedIds.get(i) + " " + expectedScores[i]);
                    }
                }
                n++;
            }
        } catch (BundleException e) {
            throw e;
        } catch (Exception e) {
            throw new BundleException("the self-test could not run: " + e, e);
        }
    }

    private static void check(String what, float[] actual, double[] expected, double tolerance) throws BundleException {
        if (actual == null || actual.length != expected.length) {
            throw new BundleException(what + ": " + (actual == null ? "nothing" : actual.length + " values")
                    + ", expected " + expected.length);
        }
        for (int i = 0; i < actual.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                throw new BundleException(what + " differs from the trained model at " + i + ": " + actual[i] + " vs "
                        + expected[i] + " (tolerance " + tolerance + ")");
            }
        }
    }

    private static List<JsonNode> flatten(JsonNode arrays) {
        List<JsonNode> all = new ArrayList<>();
        arrays.forEach(all::add);
        return all;
    }

    private static float[] concatenated(List<JsonNode> arrays) {
        int size = arrays.stream().mapToInt(JsonNode::size).sum();
        float[] values = new float[size];
        int at = 0;
        for (JsonNode array : arrays) {
            for (JsonNode v : array) {
                values[at++] = (float) v.asDouble();
            }
        }
        return values;
    }

    private static float[] floats(JsonNode array) {
        List<JsonNode> one = new ArrayList<>();
        one.add(array);
        return concatenated(one);
    }

    private static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}
