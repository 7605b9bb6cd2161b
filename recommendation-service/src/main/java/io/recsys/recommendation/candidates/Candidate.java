package io.recsys.recommendation.candidates;

import io.recsys.contracts.recommend.v1.CandidateSource;
import java.util.EnumSet;
import java.util.Set;

/**
 * One proposed item with every source that proposed it and what each said about it.
 *
 * @param retrievalScore embedding similarity (0 when retrieval did not propose it)
 * @param cooccurrence summed co-occurrence with the user's recent items (0 when none)
 * @param popularity the popular list's score (0 when not on it)
 */
public record Candidate(
        String itemId, Set<CandidateSource> sources, double retrievalScore, double cooccurrence, double popularity) {

    public Candidate {
        sources = Set.copyOf(sources);
    }

    static Candidate of(String itemId, CandidateSource source) {
        return new Candidate(itemId, EnumSet.of(source), 0, 0, 0);
    }

    Candidate merge(Candidate other) {
        EnumSet<CandidateSource> all = EnumSet.noneOf(CandidateSource.class);
        all.addAll(sources);
        all.addAll(other.sources);
        return new Candidate(
                itemId,
                all,
                Math.max(retrievalScore, other.retrievalScore),
                Math.max(cooccurrence, other.cooccurrence),
                Math.max(popularity, other.popularity));
    }
}
