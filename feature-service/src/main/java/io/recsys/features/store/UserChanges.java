package io.recsys.features.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One user's part of a round: her events in log order, applied to her recent list and profile as she stood before the
 * round; and the co-occurrence pairs they make, added to the round's item changes.
 *
 * <p>Co-occurrence: an event on item I pairs I with the first {@code pairsPerEvent} distinct other items among the
 * user's last {@code lookBack} events before it (this round's earlier events included), each pair adding the event's
 * weight both ways. The python-worker computes the same (features.py), checked by the parity test.
 */
final class UserChanges {

    private final List<String> itemsBefore;
    private final long lastActiveBefore;
    private final List<String> roundItems = new ArrayList<>();
    private final List<String> elements = new ArrayList<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>(2);
    private long lastActive;

    /**
     * @param recentBefore her stored recent list (newest first, "item|type|epochMillis|value"), at least the look-back
     * @param lastActiveBefore her stored last-active time, 0 when none
     */
    UserChanges(List<String> recentBefore, long lastActiveBefore) {
        this.itemsBefore = new ArrayList<>(recentBefore.size());
        for (String element : recentBefore) {
            int bar = element.indexOf('|');
            itemsBefore.add(bar < 0 ? element : element.substring(0, bar));
        }
        this.lastActiveBefore = lastActiveBefore;
        this.lastActive = lastActiveBefore;
    }

    /** Applies one event (in log order) and adds the pairs it makes to {@code round}. */
    void add(
            String itemId,
            String element,
            String type,
            long occurredAt,
            double weight,
            int pairsPerEvent,
            int lookBack,
            RoundChanges round) {
        if (pairsPerEvent > 0) {
            List<String> paired = new ArrayList<>(pairsPerEvent);
            int looked = 0;
            for (int i = roundItems.size() - 1; i >= 0 && looked < lookBack && paired.size() < pairsPerEvent; i--) {
                looked++;
                pair(itemId, roundItems.get(i), weight, paired, round);
            }
            for (int i = 0; i < itemsBefore.size() && looked < lookBack && paired.size() < pairsPerEvent; i++) {
                looked++;
                pair(itemId, itemsBefore.get(i), weight, paired, round);
            }
        }
        roundItems.add(itemId);
        elements.add(element);
        counts.merge(type, 1, Integer::sum);
        lastActive = Math.max(lastActive, occurredAt);
    }

    private static void pair(String itemId, String other, double weight, List<String> paired, RoundChanges round) {
        if (!other.equals(itemId) && !paired.contains(other)) {
            paired.add(other);
            round.addPair(itemId, other, weight);
            round.addPair(other, itemId, weight);
        }
    }

    /** Her part of the apply script's arguments (apply-users.lua). */
    void addArguments(List<String> args) {
        args.add(Integer.toString(elements.size()));
        args.addAll(elements);
        args.add(Integer.toString(counts.size()));
        counts.forEach((type, count) -> {
            args.add(type);
            args.add(Integer.toString(count));
        });
        args.add(lastActive > lastActiveBefore ? Long.toString(lastActive) : "");
    }
}
