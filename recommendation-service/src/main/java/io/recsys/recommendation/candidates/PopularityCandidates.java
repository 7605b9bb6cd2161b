package io.recsys.recommendation.candidates;

import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.recommendation.features.FeatureStore;

/** The floor of every answer: the most popular items, without those excluded. */
@Component
public class PopularityCandidates {

    private final FeatureStore features;

    public PopularityCandidates(FeatureStore features) {
        this.features = features;
    }

    public List<Candidate> candidates(int limit, Set<String> excluded) {
        return features.popular(limit, excluded).stream()
                .map(item -> new Candidate(item.getItemId(), item.getScore(), Set.of(CandidateSource.CANDIDATE_SOURCE_POPULARITY)))
                .toList();
    }
}
