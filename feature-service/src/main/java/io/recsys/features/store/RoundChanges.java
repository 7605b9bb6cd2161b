package io.recsys.features.store;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one round of a partition's log changes outside the partition's slot: per item, its event counts, popularity
 * weight, decayed increments (relative to the round's landmark), catalog entry and co-occurrence neighbours, each
 * summed over the round so that an item is written once per round, however many of its events the round holds.
 *
 * <p>Stored as text in the round key by step 1 and read back by whoever finishes the round, so a round is applied with
 * exactly the changes it was recorded with. The text holds one line per item: {@code id}, popularity, the three decayed
 * increments, the catalog entry (or empty), {@code type=count} pairs and {@code +neighbour=weight} pairs,
 * tab-separated; item ids and type names are identifiers (no tabs, no {@code =}), the catalog entry is base64.
 */
public final class RoundChanges {

    private final long landmark;
    private final Map<String, ItemChange> items = new LinkedHashMap<>();

    public RoundChanges(long landmark) {
        this.landmark = landmark;
    }

    /** One item's changes in the round. */
    public static final class ItemChange {
        final Map<String, Integer> counts = new LinkedHashMap<>(2);
        double popularity;
        final double[] decayed = new double[DecayWindow.IN_SCRIPT_ORDER.size()];
        String catalog = "";
        final Map<String, Double> neighbours = new LinkedHashMap<>();

        boolean hasEvents() {
            return !counts.isEmpty();
        }

        boolean isEmpty() {
            return counts.isEmpty() && catalog.isEmpty() && neighbours.isEmpty();
        }
    }

    /** The landmark (epoch ms) the decayed increments are relative to. */
    public long landmark() {
        return landmark;
    }

    public Map<String, ItemChange> items() {
        return items;
    }

    /** Counts one event of weight {@code weight} on {@code itemId}, of type {@code typeName}, at {@code occurredAt}. */
    public void addEvent(String itemId, String typeName, double weight, long occurredAt) {
        ItemChange item = item(itemId);
        item.counts.merge(typeName, 1, Integer::sum);
        item.popularity += weight;
        for (int w = 0; w < item.decayed.length; w++) {
            item.decayed[w] += weight * DecayWindow.IN_SCRIPT_ORDER.get(w).growth(occurredAt, landmark);
        }
    }

    /** A catalog upsert of {@code itemId}: the base64 protobuf entry; the round's last upsert of an item wins. */
    public void setCatalog(String itemId, String entry) {
        item(itemId).catalog = entry;
    }

    /** Adds {@code weight} to {@code neighbour} among {@code itemId}'s co-occurrence neighbours. */
    void addPair(String itemId, String neighbour, double weight) {
        item(itemId).neighbours.merge(neighbour, weight, Double::sum);
    }

    private ItemChange item(String itemId) {
        return items.computeIfAbsent(itemId, id -> new ItemChange());
    }

    /** The text stored with the round. */
    public String toText() {
        StringBuilder text = new StringBuilder(items.size() * 64);
        text.append(landmark);
        items.forEach((id, item) -> {
            if (item.isEmpty()) {
                return;
            }
            text.append('\n').append(id).append('\t').append(item.popularity);
            for (double value : item.decayed) {
                text.append('\t').append(value);
            }
            text.append('\t').append(item.catalog);
            item.counts.forEach(
                    (type, count) -> text.append('\t').append(type).append('=').append(count));
            item.neighbours.forEach((neighbour, weight) ->
                    text.append("\t+").append(neighbour).append('=').append(weight));
        });
        return text.toString();
    }

    /** Reads what {@link #toText} wrote. */
    public static RoundChanges fromText(String text) {
        int firstLine = text.indexOf('\n');
        RoundChanges round = new RoundChanges(Long.parseLong(firstLine < 0 ? text : text.substring(0, firstLine)));
        if (firstLine >= 0) {
            forEachLine(text.substring(firstLine + 1), fields -> {
                ItemChange item = round.item(fields[0]);
                item.popularity = Double.parseDouble(fields[1]);
                for (int w = 0; w < item.decayed.length; w++) {
                    item.decayed[w] = Double.parseDouble(fields[2 + w]);
                }
                item.catalog = fields[2 + item.decayed.length];
                for (int f = 3 + item.decayed.length; f < fields.length; f++) {
                    int equals = fields[f].indexOf('=');
                    if (fields[f].startsWith("+")) {
                        item.neighbours.put(
                                fields[f].substring(1, equals), Double.parseDouble(fields[f].substring(equals + 1)));
                    } else {
                        item.counts.put(
                                fields[f].substring(0, equals), Integer.parseInt(fields[f].substring(equals + 1)));
                    }
                }
            });
        }
        return round;
    }

    private static void forEachLine(String text, java.util.function.Consumer<String[]> line) {
        if (text.isEmpty()) {
            return;
        }
        for (String row : text.split("\n")) {
            line.accept(row.split("\t", -1));
        }
    }

    /** The items whose popularity or change-feed entry this round touches (events or a catalog entry). */
    List<String> listedItems() {
        List<String> listed = new ArrayList<>(items.size());
        items.forEach((id, item) -> {
            if (item.hasEvents() || !item.catalog.isEmpty()) {
                listed.add(id);
            }
        });
        return listed;
    }
}
