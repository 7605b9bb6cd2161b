package io.recsys.recommendation.inference;

import io.recsys.contracts.platform.PlatformDefaults;
import java.util.ArrayList;
import java.util.List;

/**
 * How the served bundle's inputs are computed, as it was trained with them (its metadata's feature_contract, passed on
 * by the inference-service): the read-side rules this service follows when it gathers a shopper's state, and the
 * write-side rules the feature-service builds co-occurrence by, which this service can only compare with the
 * platform's.
 *
 * @param recentEvents the recent list is the distinct items of the shopper's last this-many events, newest first
 * @param cooccurrenceSeeds the most recent distinct items whose neighbours are candidates and the co-occurrence feature
 * @param neighboursPerSeed neighbours read per seed
 * @param pairsPerEvent / lookBackEvents / neighboursKept how the feature-service builds the neighbour sets
 */
public record FeatureContract(
        int recentEvents,
        int cooccurrenceSeeds,
        int neighboursPerSeed,
        int pairsPerEvent,
        int lookBackEvents,
        int neighboursKept) {

    /** The platform's own rules: what a bundle made before the contract travelled with it was trained with. */
    public static final FeatureContract PLATFORM = new FeatureContract(
            PlatformDefaults.RECENT_LIST_EVENTS,
            PlatformDefaults.COOCCURRENCE_RECENT_ITEMS,
            PlatformDefaults.NEIGHBOURS_KEPT,
            PlatformDefaults.COOCCURRENCE_RECENT_ITEMS,
            PlatformDefaults.COOCCURRENCE_LOOK_BACK_EVENTS,
            PlatformDefaults.NEIGHBOURS_KEPT);

    static FeatureContract from(io.recsys.contracts.inference.v1.ModelInfo info) {
        if (!info.hasFeatureContract()) {
            return PLATFORM;
        }
        io.recsys.contracts.inference.v1.FeatureContract contract = info.getFeatureContract();
        return new FeatureContract(
                contract.getRecentEvents(),
                contract.getCooccurrenceSeeds(),
                contract.getNeighboursPerSeed(),
                contract.getPairsPerEvent(),
                contract.getLookBackEvents(),
                contract.getNeighboursKept());
    }

    /**
     * Write-side rules in which the bundle's training differs from the platform's feature-service: the co-occurrence
     * feature then means something else than what the model learned. Empty when they agree.
     */
    public List<String> writeSideDifferences() {
        List<String> differences = new ArrayList<>();
        compare(differences, "pairs per event", pairsPerEvent, PLATFORM.pairsPerEvent);
        compare(differences, "look-back events", lookBackEvents, PLATFORM.lookBackEvents);
        compare(differences, "neighbours kept", neighboursKept, PLATFORM.neighboursKept);
        return differences;
    }

    private static void compare(List<String> differences, String what, int bundle, int platform) {
        if (bundle != platform) {
            differences.add(what + ": bundle " + bundle + ", platform " + platform);
        }
    }
}
