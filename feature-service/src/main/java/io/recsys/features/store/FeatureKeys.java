package io.recsys.features.store;

import io.recsys.contracts.eventlog.EventLogPartitions;

/**
 * The Redis key layout of the feature store (documented in docs/feature-store.md). A user's keys carry her event log
 * partition's hash tag ({@link EventLogPartitions}); an item's keys share the item's own hash tag; platform-wide keys
 * share {@code {global}}. So each step of applying the log stays within one Redis Cluster slot, or one node.
 */
final class FeatureKeys {

    static final String POPULAR_ALL_TIME = "recsys:{global}:popular:all";
    /** STRING: the landmark (epoch ms) the decayed popularity scores are relative to. */
    static final String POPULARITY_LANDMARK = "recsys:{global}:popular:landmark";
    /** HASH field of an item: the landmark its decayed values ("d:1h", "d:24h", "d:7d") are relative to. */
    static final String ITEM_LANDMARK = "dL";

    /** ZSET: every item, scored by when (epoch ms) its features last changed; the change feed. */
    static final String CHANGED_ITEMS = "recsys:{global}:items:changed";

    static final String COUNT_PREFIX = "n:";
    static final String CATALOG = "cat";
    static final String POPULARITY = "pop";
    static final String LAST_ACTIVE = "last_active";
    static final String UPDATED = "updated";

    private FeatureKeys() {}

    /** ZSET of decayed popularity scores of one window (see {@link DecayWindow}). */
    static String popular(DecayWindow window) {
        return "recsys:{global}:popular:" + window.suffix();
    }

    /**
     * HASH: co-occurrence neighbours of an item and their summed event weights, the strongest kept. A hash rather than
     * a sorted set: a weight changes in place, where a small sorted set (listpack) is re-sorted on every increment,
     * about four times the Redis time per event; readers sort the at most 100 neighbours themselves.
     */
    static String neighbours(String itemId) {
        return "recsys:i:{" + itemId + "}:co";
    }

    /** HASH: per partition tag, the last round applied to the popularity lists and the change feed. */
    static final String POPULARITY_ROUNDS = "recsys:{global}:popular:rounds";

    /** HASH field of an item: the last round of a partition applied to it ("at:" + the partition's tag). */
    static String appliedRoundField(String partitionTag) {
        return "at:" + partitionTag;
    }

    /** LIST of "item|type|epochMillis|value", newest first, capped; in the user's log partition's slot. */
    static String userRecent(EventLogPartitions partitions, String userId) {
        return partitions.userKey(userId, "recent");
    }

    /** HASH: "n:<type>" counters, "last_active" and "updated" (epoch millis); in the user's partition's slot. */
    static String userProfile(EventLogPartitions partitions, String userId) {
        return partitions.userKey(userId, "profile");
    }

    /**
     * HASH: "n:<type>" counters, "pop" (all-time weighted popularity), "updated" (epoch millis) and "cat", the catalog
     * entry (base64 of the protobuf {@code Item}): one short read per item serves both, and a catalog upsert replaces
     * the entry whole.
     */
    static String item(String itemId) {
        return "recsys:i:{" + itemId + "}";
    }
}
