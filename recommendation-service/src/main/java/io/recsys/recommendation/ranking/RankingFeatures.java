package io.recsys.recommendation.ranking;

import io.recsys.recommendation.candidates.Candidate;
import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import io.recsys.recommendation.features.FeatureStore.UserProfile;
import io.recsys.recommendation.inference.ModelClient.ModelSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Stage 5: each input the model asks for (by name, in the order its schema lists them), computed from the
 * feature-service's answers the way the python-worker computed it for training (docs/model-bundle.md). A name this
 * service does not know means the model cannot be fed: the request is ranked cheaply instead.
 */
public final class RankingFeatures {

    public static final class UnknownFeatureException extends RuntimeException {
        UnknownFeatureException(String name) {
            super("the model asks for feature '" + name + "', which this service does not compute", null, false, false);
        }
    }

    public record Inputs(float[] user, float[][] items) {}

    private RankingFeatures() {}

    public static Inputs of(
            ModelSchema schema,
            UserProfile profile,
            List<Candidate> candidates,
            Map<String, ItemSignals> signals,
            Instant now) {
        float[] user = new float[schema.userFeatureNames().size()];
        for (int i = 0; i < user.length; i++) {
            user[i] = (float) userFeature(schema.userFeatureNames().get(i), profile, now);
        }
        List<ToDoubleFunction<Candidate>> itemFeatures = schema.itemFeatureNames().stream()
                .map(name -> itemFeature(name, signals))
                .toList();
        float[][] items = new float[candidates.size()][itemFeatures.size()];
        for (int c = 0; c < candidates.size(); c++) {
            for (int f = 0; f < itemFeatures.size(); f++) {
                items[c][f] = (float) itemFeatures.get(f).applyAsDouble(candidates.get(c));
            }
        }
        return new Inputs(user, items);
    }

    private static double userFeature(String name, UserProfile profile, Instant now) {
        return switch (name) {
            case "user_events" -> profile.events();
            case "hours_since_user_active" ->
                profile.lastActive()
                        .map(at -> Math.max(0, Duration.between(at, now).toMillis() / 3_600_000.0))
                        .orElse(0.0);
            default -> throw new UnknownFeatureException(name);
        };
    }

    private static ToDoubleFunction<Candidate> itemFeature(String name, Map<String, ItemSignals> signals) {
        return switch (name) {
            case "cooccurrence" -> Candidate::cooccurrence;
            case "item_popularity" -> c -> signal(signals, c, ItemSignals::popularity);
            case "item_popularity_7d" -> c -> signal(signals, c, ItemSignals::lastWeek);
            case "item_popularity_24h" -> c -> signal(signals, c, ItemSignals::lastDay);
            case "price" -> c -> signal(signals, c, ItemSignals::price);
            default -> throw new UnknownFeatureException(name);
        };
    }

    private static double signal(
            Map<String, ItemSignals> signals, Candidate candidate, ToDoubleFunction<ItemSignals> value) {
        ItemSignals item = signals.get(candidate.itemId());
        return item == null ? 0.0 : Math.max(0, value.applyAsDouble(item));
    }
}
