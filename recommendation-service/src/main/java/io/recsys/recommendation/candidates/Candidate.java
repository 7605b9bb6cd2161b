package io.recsys.recommendation.candidates;

import java.util.Set;

import io.recsys.contracts.recommend.v1.CandidateSource;

/** An item proposed for the answer, with every source that proposed it. */
public record Candidate(String itemId, double score, Set<CandidateSource> sources) {

    public Candidate {
        sources = Set.copyOf(sources);
    }
}
