package io.recsys.recommendation.candidates;

import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.recommendation.degradation.Dependencies;
import io.recsys.recommendation.degradation.DepthProperties.LevelSize;
import io.recsys.recommendation.degradation.FallbackCache;
import io.recsys.recommendation.inference.ModelClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Stage 3: candidates from every source, each failing open. Embedding retrieval (inference-service), co-occurrence
 * neighbours of the shopper's recent items (read with her profile, in the same feature-service call) and the
 * popular/trending lists (in memory) are merged, each candidate keeping its sources. A source that fails or misses the
 * deadline drops out and is named in the result; popularity is the floor.
 */
@Component
public class CandidateGeneration {

    private final ModelClient model;
    private final FallbackCache popular;
    private final Dependencies dependencies;

    public CandidateGeneration(ModelClient model, FallbackCache popular, Dependencies dependencies) {
        this.model = model;
        this.popular = popular;
        this.dependencies = dependencies;
    }

    /**
     * @param cooccurrence every co-occurrence score of the seeds' neighbours (also the ranker's feature), beyond the
     *     candidates kept
     * @param failedSources sources that failed or were too slow
     */
    public record Result(
            List<Candidate> candidates, Map<String, Double> cooccurrence, List<CandidateSource> failedSources) {}

    /** @param seedNeighbours co-occurrence neighbours of the shopper's most recent items, as read with her profile */
    public Result generate(
            List<String> recentItems,
            Map<String, List<ScoredItem>> seedNeighbours,
            Set<String> excluded,
            LevelSize size,
            boolean embeddingAllowed,
            Duration timeout) {
        List<CandidateSource> failed = new ArrayList<>();
        List<ScoredItem> retrieved = List.of();
        if (size.embedding() > 0 && embeddingAllowed && !recentItems.isEmpty()) {
            try {
                // the only remote source left: called on this thread, its deadline is the gRPC call's own
                retrieved =
                        dependencies.inference(() -> model.retrieve(recentItems, size.embedding(), excluded, timeout));
            } catch (RuntimeException e) {
                failed.add(CandidateSource.CANDIDATE_SOURCE_EMBEDDING);
            }
        }
        Map<String, Candidate> merged = new LinkedHashMap<>();
        for (ScoredItem item : retrieved) {
            add(
                    merged,
                    new Candidate(
                            item.getItemId(),
                            EnumSet.of(CandidateSource.CANDIDATE_SOURCE_EMBEDDING),
                            item.getScore(),
                            0,
                            0));
        }
        Map<String, Double> cooccurrence = cooccurrenceScores(size.cooccurrence() > 0 ? seedNeighbours : Map.of());
        cooccurrence.entrySet().stream()
                .filter(e -> !excluded.contains(e.getKey()))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(size.cooccurrence())
                .forEach(e -> add(
                        merged,
                        new Candidate(
                                e.getKey(),
                                EnumSet.of(CandidateSource.CANDIDATE_SOURCE_CO_OCCURRENCE),
                                0,
                                e.getValue(),
                                0)));
        FallbackCache.Lists lists = popular.lists();
        addList(merged, lists.popular(), CandidateSource.CANDIDATE_SOURCE_POPULARITY, excluded, size.popular());
        addList(
                merged,
                lists.trending(),
                CandidateSource.CANDIDATE_SOURCE_TRENDING,
                excluded,
                Math.max(1, size.popular() / 5));
        // every candidate carries its co-occurrence score, whichever source proposed it
        List<Candidate> candidates = merged.values().stream()
                .map(c -> new Candidate(
                        c.itemId(),
                        c.sources(),
                        c.retrievalScore(),
                        cooccurrence.getOrDefault(c.itemId(), 0.0),
                        c.popularity()))
                .toList();
        return new Result(candidates, cooccurrence, failed);
    }

    private static void addList(
            Map<String, Candidate> merged,
            List<ScoredItem> items,
            CandidateSource source,
            Set<String> excluded,
            int limit) {
        int taken = 0;
        for (ScoredItem item : items) {
            if (taken == limit) {
                break;
            }
            if (!excluded.contains(item.getItemId())) {
                add(merged, new Candidate(item.getItemId(), EnumSet.of(source), 0, 0, item.getScore()));
                taken++;
            }
        }
    }

    private static void add(Map<String, Candidate> merged, Candidate candidate) {
        merged.merge(candidate.itemId(), candidate, Candidate::merge);
    }

    /**
     * The co-occurrence feature of every item the seeds name: the sum of its neighbour scores over the seeds (the
     * python-worker's FeatureSnapshot.cooccurrence_row).
     */
    public static Map<String, Double> cooccurrenceScores(Map<String, List<ScoredItem>> neighbours) {
        Map<String, Double> sums = new HashMap<>();
        neighbours.values().forEach(list -> list.forEach(n -> sums.merge(n.getItemId(), n.getScore(), Double::sum)));
        return sums;
    }
}
