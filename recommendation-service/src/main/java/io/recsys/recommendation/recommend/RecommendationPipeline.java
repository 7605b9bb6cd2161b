package io.recsys.recommendation.recommend;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.grpc.StatusRuntimeException;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.contracts.recommend.v1.DepthReason;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendedItem;
import io.recsys.recommendation.candidates.Candidate;
import io.recsys.recommendation.candidates.CandidateGeneration;
import io.recsys.recommendation.degradation.Decision;
import io.recsys.recommendation.degradation.Dependencies;
import io.recsys.recommendation.degradation.DepthController;
import io.recsys.recommendation.degradation.DepthProperties;
import io.recsys.recommendation.degradation.FallbackCache;
import io.recsys.recommendation.features.FeatureStore;
import io.recsys.recommendation.features.FeatureStore.ItemSignals;
import io.recsys.recommendation.features.FeatureStore.UserProfile;
import io.recsys.recommendation.features.ItemSignalsCache;
import io.recsys.recommendation.filters.CandidateFilter;
import io.recsys.recommendation.filters.SeenItems;
import io.recsys.recommendation.inference.FeatureContract;
import io.recsys.recommendation.inference.ModelClient;
import io.recsys.recommendation.ranking.CheapScores;
import io.recsys.recommendation.ranking.RankingFeatures;
import io.recsys.recommendation.reranking.Reranking;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * One recommendation, stage by stage, at the depth load allows:
 *
 * <ol>
 *   <li>the depth: the controller's level, capped by the caller, the deadline and open breakers;
 *   <li>the shopper's features and the co-occurrence neighbours of her recent items (feature-service, one call);
 *   <li>candidates from every source, each failing open ({@link CandidateGeneration});
 *   <li>item signals for the candidates (held in memory, {@link ItemSignalsCache}), then filters: seen, excluded,
 *       unavailable;
 *   <li>ranking: the model (inference-service Rank) at FULL and REDUCED, cheap scores at MINIMAL or whenever the model
 *       cannot be asked;
 *   <li>re-ranking: business rules, diversity, top K;
 *   <li>the answer: items with scores and sources, model version, depth and why.
 * </ol>
 *
 * FALLBACK skips all of it and serves the cached popular list.
 */
@Component
public class RecommendationPipeline {

    static final String CHEAP_SCORER = "cheap-scores";
    static final String POPULARITY_SCORER = "popularity";

    private final FeatureStore features;
    private final ItemSignalsCache itemSignals;
    private final ModelClient model;
    private final CandidateGeneration candidateGeneration;
    private final FallbackCache fallback;
    private final Dependencies dependencies;
    private final DepthController controller;
    private final DepthProperties depth;
    private final RecommendationProperties properties;
    private final Clock clock;
    private final PipelineMetrics metrics;

    public RecommendationPipeline(
            FeatureStore features,
            ItemSignalsCache itemSignals,
            ModelClient model,
            CandidateGeneration candidateGeneration,
            FallbackCache fallback,
            Dependencies dependencies,
            DepthController controller,
            DepthProperties depth,
            RecommendationProperties properties,
            Clock clock,
            PipelineMetrics metrics) {
        this.features = features;
        this.itemSignals = itemSignals;
        this.model = model;
        this.candidateGeneration = candidateGeneration;
        this.fallback = fallback;
        this.dependencies = dependencies;
        this.controller = controller;
        this.depth = depth;
        this.properties = properties;
        this.clock = clock;
        this.metrics = metrics;
    }

    public RecommendResponse recommend(RecommendRequest request, int limit) {
        long started = System.nanoTime();
        Budget budget = Budget.fromCaller(depth.defaultDeadline());
        RecommendResponse response = null;
        try (DepthController.Permit ignored = controller.enter()) {
            Decision decision = decide(request, budget);
            response = decision.depth() == PredictionDepth.PREDICTION_DEPTH_FALLBACK
                    ? fallbackAnswer(request, readableProfile(request, budget), limit, decision)
                    : run(request, limit, decision, budget);
            return response;
        } finally {
            Duration latency = Duration.ofNanos(System.nanoTime() - started);
            controller.record(latency);
            String level = response == null ? "error" : levelName(response.getDepth());
            String reason = response == null || response.getDepthReasonsCount() == 0
                    ? "none"
                    : response.getDepthReasons(0)
                            .name()
                            .substring("DEPTH_REASON_".length())
                            .toLowerCase(Locale.ROOT);
            metrics.answered(level, reason, latency);
        }
    }

    private Decision decide(RecommendRequest request, Budget budget) {
        Decision decision = controller.current();
        PredictionDepth cap = request.getMaxDepth() == PredictionDepth.PREDICTION_DEPTH_UNSPECIFIED
                ? PredictionDepth.PREDICTION_DEPTH_FULL
                : request.getMaxDepth();
        decision = decision.atMost(
                cap, DepthReason.DEPTH_REASON_CALLER_LIMIT, "the caller asked for at most " + levelName(cap));
        Duration left = budget.remaining();
        if (left.compareTo(depth.deadlineMinimal()) < 0) {
            decision = decision.atMost(
                    PredictionDepth.PREDICTION_DEPTH_FALLBACK,
                    DepthReason.DEPTH_REASON_SHORT_DEADLINE,
                    shortDeadline(left));
        } else if (left.compareTo(depth.deadlineReduced()) < 0) {
            decision = decision.atMost(
                    PredictionDepth.PREDICTION_DEPTH_MINIMAL,
                    DepthReason.DEPTH_REASON_SHORT_DEADLINE,
                    shortDeadline(left));
        } else if (left.compareTo(depth.deadlineFull()) < 0) {
            decision = decision.atMost(
                    PredictionDepth.PREDICTION_DEPTH_REDUCED,
                    DepthReason.DEPTH_REASON_SHORT_DEADLINE,
                    shortDeadline(left));
        }
        if (dependencies.featuresOpen()) {
            decision = decision.atMost(
                    PredictionDepth.PREDICTION_DEPTH_FALLBACK,
                    DepthReason.DEPTH_REASON_CIRCUIT_OPEN,
                    "feature-service circuit open");
        }
        if (usesModel(decision)) {
            if (dependencies.inferenceOpen()) {
                decision = decision.atMost(
                        PredictionDepth.PREDICTION_DEPTH_MINIMAL,
                        DepthReason.DEPTH_REASON_CIRCUIT_OPEN,
                        "inference-service circuit open");
            } else if (model.schema().isEmpty()) {
                decision = decision.atMost(
                        PredictionDepth.PREDICTION_DEPTH_MINIMAL,
                        DepthReason.DEPTH_REASON_NO_MODEL,
                        "no ranking model is served");
            }
        }
        return decision;
    }

    private RecommendResponse run(RecommendRequest request, int limit, Decision decision, Budget budget) {
        UserProfile profile;
        try {
            // the co-occurrence seeds' neighbours come with her profile: one round trip for all of her state
            FeatureStore.ProfileQuery query = profileQuery();
            profile = readProfile(
                    request,
                    sizeOf(decision.depth()).cooccurrence() > 0 ? query : query.withoutNeighbours(),
                    budget.share(1, 3, properties.featureTimeout()));
        } catch (RuntimeException e) {
            return fallbackAnswer(
                    request,
                    Optional.empty(),
                    limit,
                    decision.atMost(
                            PredictionDepth.PREDICTION_DEPTH_FALLBACK,
                            DepthReason.DEPTH_REASON_DEPENDENCY_FAILED,
                            "user features unavailable: " + brief(e)));
        }
        Set<String> excluded = SeenItems.of(profile, properties.excludeSeenTypes(), request.getExcludeItemIdsList());
        // retrieval, the one remote candidate source, may take at most a third of what is left: ranking and its cheap
        // fallback need the rest
        Duration sourceTimeout = budget.share(1, 3, properties.inferenceTimeout());
        Decision level = decision;
        CandidateGeneration.Result generated = stage(
                "candidates",
                () -> candidateGeneration.generate(
                        profile.recentItemIds(),
                        profile.seedNeighbours(),
                        excluded,
                        sizeOf(level.depth()),
                        usesModel(level),
                        sourceTimeout));
        // partial coverage is not full depth: the answer says which source is missing
        for (CandidateSource failed : generated.failedSources()) {
            decision = decision.failed(
                    PredictionDepth.PREDICTION_DEPTH_REDUCED,
                    DepthReason.DEPTH_REASON_DEPENDENCY_FAILED,
                    sourceName(failed) + " candidates unavailable");
        }
        List<String> ids =
                generated.candidates().stream().map(Candidate::itemId).toList();
        Map<String, ItemSignals> signals;
        try {
            // from memory; read remotely only until the first load of the cache has completed
            signals = stage(
                    "item_features",
                    () -> itemSignals
                            .loaded(ids)
                            .orElseGet(() -> dependencies.features(
                                    () -> features.items(ids, budget.share(1, 3, properties.featureTimeout())))));
        } catch (RuntimeException e) {
            signals = Map.of();
            decision = decision.failed(
                    PredictionDepth.PREDICTION_DEPTH_REDUCED,
                    DepthReason.DEPTH_REASON_DEPENDENCY_FAILED,
                    "item features unavailable: " + brief(e));
        }
        List<Candidate> candidates = CandidateFilter.apply(generated.candidates(), excluded, signals);

        Map<String, ItemSignals> itemSignals = signals;
        Ranked ranking = rank(profile, candidates, itemSignals, decision, budget);
        decision = ranking.decision();
        String scorer = ranking.scorer();
        List<Reranking.Scored> top = stage(
                "reranking",
                () -> Reranking.topK(ranking.scored(), itemSignals, properties.rules(), properties.diversity(), limit));

        Map<String, Candidate> byId = new HashMap<>();
        candidates.forEach(c -> byId.put(c.itemId(), c));
        RecommendResponse.Builder response = RecommendResponse.newBuilder()
                .setUserId(request.getUserId())
                .setModelVersion(scorer)
                .setColdStart(!profile.known());
        for (Reranking.Scored item : top) {
            response.addItems(RecommendedItem.newBuilder()
                    .setItemId(item.itemId())
                    .setScore(item.score())
                    .addAllSources(sorted(byId.get(item.itemId()).sources())));
        }
        return withDecision(response, decision).build();
    }

    /** Scores in the candidates' order, what produced them, and the decision as ranking left it. */
    private record Ranked(List<Reranking.Scored> scored, String scorer, Decision decision) {}

    /**
     * Stage 5: the model at FULL and REDUCED for shoppers with a history; cheap scores otherwise or when it cannot be
     * asked.
     */
    private Ranked rank(
            UserProfile profile,
            List<Candidate> candidates,
            Map<String, ItemSignals> signals,
            Decision decision,
            Budget budget) {
        Optional<ModelClient.ModelSchema> schema = usesModel(decision) ? model.schema() : Optional.empty();
        if (usesModel(decision) && schema.isEmpty()) {
            decision = decision.atMost(
                    PredictionDepth.PREDICTION_DEPTH_MINIMAL,
                    DepthReason.DEPTH_REASON_NO_MODEL,
                    "no ranking model is served");
        }
        // the ranker learned from shoppers with a history; a newcomer's list rests on popularity (the answer says
        // cold_start)
        if (usesModel(decision) && !candidates.isEmpty() && profile.known()) {
            try {
                RankingFeatures.Inputs inputs =
                        RankingFeatures.of(schema.orElseThrow(), profile, candidates, signals, clock.instant());
                List<String> ids = candidates.stream().map(Candidate::itemId).toList();
                ModelClient.Scores scores = stage(
                        "ranking",
                        () -> dependencies.ranking(() -> model.rank(
                                profile.recentItemIds(),
                                inputs.user(),
                                ids,
                                inputs.items(),
                                budget.rankingTimeout(properties.inferenceTimeout()))));
                List<Reranking.Scored> scored = new ArrayList<>(ids.size());
                for (int i = 0; i < ids.size(); i++) {
                    scored.add(new Reranking.Scored(ids.get(i), scores.values()[i]));
                }
                return new Ranked(scored, scores.modelVersion(), decision);
            } catch (BulkheadFullException e) {
                decision = decision.atMost(
                        PredictionDepth.PREDICTION_DEPTH_MINIMAL,
                        DepthReason.DEPTH_REASON_BULKHEAD_FULL,
                        "ranking concurrency limit reached");
            } catch (CallNotPermittedException e) {
                decision = decision.atMost(
                        PredictionDepth.PREDICTION_DEPTH_MINIMAL,
                        DepthReason.DEPTH_REASON_CIRCUIT_OPEN,
                        "inference-service circuit open");
            } catch (RankingFeatures.UnknownFeatureException e) {
                decision = decision.atMost(
                        PredictionDepth.PREDICTION_DEPTH_MINIMAL, DepthReason.DEPTH_REASON_NO_MODEL, e.getMessage());
            } catch (StatusRuntimeException e) {
                decision = decision.failed(
                        PredictionDepth.PREDICTION_DEPTH_MINIMAL,
                        DepthReason.DEPTH_REASON_DEPENDENCY_FAILED,
                        "ranking failed: " + brief(e));
            }
        }
        CheapScores weights = model.schema()
                .map(served -> CheapScores.from(served.cheapScoreWeights()))
                .orElse(CheapScores.HAND_SET);
        List<Reranking.Scored> cheap = candidates.stream()
                .map(c -> new Reranking.Scored(c.itemId(), weights.score(c, signals)))
                .toList();
        return new Ranked(cheap, CHEAP_SCORER, decision);
    }

    /** The shopper's history, through the feature-service's breaker (an open one refuses at once). */
    private UserProfile readProfile(RecommendRequest request, FeatureStore.ProfileQuery query, Duration timeout) {
        return stage(
                "user_features",
                () -> dependencies.features(() -> features.profile(request.getUserId(), query, timeout)));
    }

    /** As much of the shopper's state as the served bundle's feature contract reads (the platform's rules without). */
    private FeatureStore.ProfileQuery profileQuery() {
        FeatureContract contract =
                model.schema().map(ModelClient.ModelSchema::contract).orElse(FeatureContract.PLATFORM);
        return new FeatureStore.ProfileQuery(
                contract.recentEvents(), contract.cooccurrenceSeeds(), contract.neighboursPerSeed());
    }

    /**
     * At FALLBACK the shopper's history is still read when the feature-service can be asked (one cheap call), so that
     * the cached list never offers what she already has and a newcomer is still told apart.
     */
    private Optional<UserProfile> readableProfile(RecommendRequest request, Budget budget) {
        try {
            return Optional.of(readProfile(
                    request, profileQuery().withoutNeighbours(), budget.share(1, 2, properties.featureTimeout())));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private RecommendResponse fallbackAnswer(
            RecommendRequest request, Optional<UserProfile> profile, int limit, Decision decision) {
        Set<String> excluded = new HashSet<>(request.getExcludeItemIdsList());
        profile.ifPresent(p -> excluded.addAll(SeenItems.of(p, properties.excludeSeenTypes(), List.of())));
        RecommendResponse.Builder response = RecommendResponse.newBuilder()
                .setUserId(request.getUserId())
                .setModelVersion(POPULARITY_SCORER)
                .setColdStart(profile.map(p -> !p.known()).orElse(false));
        FallbackCache.Lists lists = fallback.lists();
        if (lists.popular().isEmpty()) {
            throw GrpcErrors.unavailable(
                    "nothing to recommend: " + String.join("; ", decision.details())
                            + ", and no popular list has been cached yet",
                    Duration.ofSeconds(1));
        }
        // relevance in [0, 1] as at the other levels: the list's own scores over its best one
        double best =
                lists.popular().stream().mapToDouble(ScoredItem::getScore).max().orElse(0);
        lists.popular().stream()
                .filter(item -> !excluded.contains(item.getItemId()))
                .limit(limit)
                .forEach(item -> response.addItems(RecommendedItem.newBuilder()
                        .setItemId(item.getItemId())
                        .setScore(best > 0 ? item.getScore() / best : 0)
                        .addSources(CandidateSource.CANDIDATE_SOURCE_CACHED_FALLBACK)));
        return withDecision(response, decision).build();
    }

    private static RecommendResponse.Builder withDecision(RecommendResponse.Builder response, Decision decision) {
        response.setDepth(decision.depth());
        if (!decision.reasons().isEmpty()) {
            response.addAllDepthReasons(decision.reasons()).setDepthDetail(String.join("; ", decision.details()));
        }
        return response;
    }

    private DepthProperties.LevelSize sizeOf(PredictionDepth level) {
        return switch (level) {
            case PREDICTION_DEPTH_FULL -> depth.full();
            case PREDICTION_DEPTH_REDUCED -> depth.reduced();
            default -> depth.minimal();
        };
    }

    private static boolean usesModel(Decision decision) {
        return !decision.below(PredictionDepth.PREDICTION_DEPTH_REDUCED);
    }

    private <T> T stage(String name, Supplier<T> work) {
        long started = System.nanoTime();
        try {
            return work.get();
        } finally {
            metrics.stage(name, System.nanoTime() - started);
        }
    }

    private static List<CandidateSource> sorted(Set<CandidateSource> sources) {
        return EnumSet.copyOf(sources).stream().toList();
    }

    private static String levelName(PredictionDepth level) {
        return level.name().substring("PREDICTION_DEPTH_".length()).toLowerCase(Locale.ROOT);
    }

    private static String sourceName(CandidateSource source) {
        return source.name().substring("CANDIDATE_SOURCE_".length()).toLowerCase(Locale.ROOT);
    }

    private static String shortDeadline(Duration left) {
        return "only " + left.toMillis() + " ms left on the deadline";
    }

    private static String brief(RuntimeException e) {
        return e instanceof StatusRuntimeException status
                ? status.getStatus().getCode().name()
                : e.getClass().getSimpleName();
    }
}
