package io.recsys.recommendation.recommend;

import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.features.v1.PopularityWindow;
import io.recsys.recommendation.candidates.CandidateGeneration;
import io.recsys.recommendation.degradation.Dependencies;
import io.recsys.recommendation.degradation.DepthController;
import io.recsys.recommendation.degradation.DepthProperties;
import io.recsys.recommendation.degradation.FallbackCache;
import io.recsys.recommendation.features.FeatureStore;
import io.recsys.recommendation.features.ItemSignalsCache;
import io.recsys.recommendation.features.ItemSignalsProperties;
import io.recsys.recommendation.inference.FeatureContract;
import io.recsys.recommendation.inference.ModelClient;
import io.recsys.recommendation.reranking.Rule;
import io.recsys.testsupport.Configured;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** In-memory stand-ins for the two dependencies, with switches to make them fail. */
final class Fakes {

    static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

    static ScoredItem scored(String id, double score) {
        return ScoredItem.newBuilder().setItemId(id).setScore(score).build();
    }

    /** Alice viewed a and bought c; items a..h exist, g is unavailable; neighbours of c: d, e. */
    static final class Features implements FeatureStore {
        final AtomicReference<Status> failure = new AtomicReference<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public UserProfile profile(String userId, ProfileQuery query, Duration timeout) {
            call();
            if (!userId.equals("alice")) {
                return UserProfile.unknown(userId);
            }
            return new UserProfile(
                    userId,
                    true,
                    List.of(new RecentInteraction("c", "purchase"), new RecentInteraction("a", "view")),
                    2,
                    Optional.of(NOW.minusSeconds(60)),
                    query.seeds() > 0
                            ? Map.of("c", List.of(scored("d", 16), scored("e", 8), scored("a", 4)))
                            : Map.of());
        }

        @Override
        public Map<String, ItemSignals> items(List<String> itemIds, Duration timeout) {
            call();
            Map<String, ItemSignals> signals = new HashMap<>();
            for (String id : itemIds) {
                double rank = "abcdefgh".indexOf(id);
                if (rank >= 0) {
                    signals.put(
                            id,
                            new ItemSignals(
                                    id,
                                    100 - 10 * rank,
                                    50 - 5 * rank,
                                    10 - rank,
                                    2.5,
                                    !id.equals("g"),
                                    id.compareTo("e") < 0 ? "kitchen" : "garden",
                                    Map.of("brand", id.equals("b") ? "acme" : "other")));
                }
            }
            return signals;
        }

        @Override
        public ChangedItems changedItems(long sinceMillis, int limit, Duration timeout) {
            call();
            List<ItemSignals> all = List.copyOf(items(List.of("a", "b", "c", "d", "e", "f", "g", "h"), timeout)
                    .values());
            return new ChangedItems(all, NOW.toEpochMilli(), NOW.toEpochMilli() + 1, false);
        }

        @Override
        public List<ScoredItem> popular(PopularityWindow window, int limit, Duration timeout) {
            call();
            List<ScoredItem> all = window == PopularityWindow.POPULARITY_WINDOW_TRENDING
                    ? List.of(scored("h", 5))
                    : List.of(scored("a", 50), scored("b", 40), scored("c", 30), scored("f", 20), scored("g", 15));
            return all.stream().limit(limit).toList();
        }

        private void call() {
            calls.incrementAndGet();
            if (failure.get() != null) {
                throw failure.get().asRuntimeException();
            }
        }
    }

    /** A model that prefers items late in the alphabet; retrieval proposes b and f. */
    static final class Model implements ModelClient {
        final AtomicReference<Status> failure = new AtomicReference<>();
        final AtomicReference<Status> retrieveFailure = new AtomicReference<>();
        final AtomicInteger rankCalls = new AtomicInteger();
        final AtomicInteger retrieveCalls = new AtomicInteger();
        volatile boolean serving = true;
        volatile List<String> lastItemFeatures = List.of();
        volatile Map<String, Double> cheapScoreWeights = Map.of();

        @Override
        public Optional<ModelSchema> schema() {
            return serving
                    ? Optional.of(new ModelSchema(
                            "m-7",
                            List.of("user_events"),
                            List.of(
                                    "cooccurrence",
                                    "item_popularity",
                                    "item_popularity_7d",
                                    "item_popularity_24h",
                                    "price"),
                            cheapScoreWeights,
                            FeatureContract.PLATFORM))
                    : Optional.empty();
        }

        @Override
        public List<ScoredItem> retrieve(
                List<String> recentItemIds, int topK, Collection<String> excluded, Duration timeout) {
            retrieveCalls.incrementAndGet();
            fail();
            if (retrieveFailure.get() != null) {
                throw retrieveFailure.get().asRuntimeException();
            }
            return List.of(scored("b", 0.9), scored("f", 0.7)).stream()
                    .filter(i -> !excluded.contains(i.getItemId()))
                    .toList();
        }

        @Override
        public Scores rank(
                List<String> recentItemIds,
                float[] userFeatures,
                List<String> itemIds,
                float[][] itemFeatures,
                Duration timeout) {
            rankCalls.incrementAndGet();
            fail();
            lastItemFeatures = itemIds;
            float[] scores = new float[itemIds.size()];
            for (int i = 0; i < scores.length; i++) {
                scores[i] = itemIds.get(i).charAt(0) - 'a';
            }
            return new Scores("m-7", scores);
        }

        private void fail() {
            if (failure.get() != null) {
                throw failure.get().asRuntimeException();
            }
        }
    }

    static RecommendationPipeline pipeline(Features features, Model model, RecommendationProperties properties) {
        Clock clock = Clock.fixed(NOW, java.time.ZoneOffset.UTC);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // deadlines and a latency target no loaded machine misses: these tests are about logic, not speed
        DepthProperties depth = Configured.bind(
                DepthProperties.PREFIX,
                DepthProperties.class,
                Map.of("default-deadline", "60s", "target-latency", "60s"));
        // Resilience4j's library defaults: these tests never open a breaker or fill the bulkhead
        Dependencies dependencies =
                new Dependencies(CircuitBreakerRegistry.ofDefaults(), BulkheadRegistry.ofDefaults());
        FallbackCache cache = new FallbackCache(features, dependencies, depth, clock);
        // loaded as at run time; item signals come from memory
        ItemSignalsCache itemSignals = new ItemSignalsCache(
                features,
                Configured.defaults(ItemSignalsProperties.PREFIX, ItemSignalsProperties.class),
                clock,
                meters);
        itemSignals.poll();
        CandidateGeneration generation = new CandidateGeneration(model, cache, dependencies);
        return new RecommendationPipeline(
                features,
                itemSignals,
                model,
                generation,
                cache,
                dependencies,
                new DepthController(depth, clock, meters),
                depth,
                properties,
                clock,
                new PipelineMetrics(meters));
    }

    static RecommendationProperties properties(double diversity, List<Rule> rules) {
        RecommendationProperties defaults = Configured.bind(
                RecommendationProperties.PREFIX,
                RecommendationProperties.class,
                Map.of("feature-timeout", "60s", "inference-timeout", "60s"));
        return new RecommendationProperties(
                defaults.defaultLimit(),
                defaults.maxLimit(),
                defaults.maxExclusions(),
                defaults.featureTimeout(),
                defaults.inferenceTimeout(),
                defaults.excludeSeenTypes(),
                diversity,
                rules);
    }

    private Fakes() {}
}
