package io.recsys.features.store;

/**
 * The Redis key layout of the feature store (documented in docs/feature-store.md). Every key of one
 * user or one item shares a hash tag, so that a Redis Cluster keeps an entity's keys in one slot.
 */
final class FeatureKeys {

    static final String POPULAR_ALL_TIME = "recsys:{global}:popular:all";

    private FeatureKeys() {
    }

    /** LIST of "item|type|epochMillis|value", newest first, capped. */
    static String userRecent(String userId) {
        return "recsys:u:{" + userId + "}:recent";
    }

    /** HASH: "n:<type>" counters, "last_active" and "updated" (epoch millis). */
    static String userProfile(String userId) {
        return "recsys:u:{" + userId + "}:profile";
    }

    /** HASH of catalog fields as logged (title, category, price, currency, available, attr.*, ts). */
    static String itemCatalog(String itemId) {
        return "recsys:i:{" + itemId + "}:catalog";
    }

    /** HASH: "n:<type>" counters and "updated" (epoch millis). */
    static String itemStats(String itemId) {
        return "recsys:i:{" + itemId + "}:stats";
    }

    static final String COUNT_PREFIX = "n:";
    static final String LAST_ACTIVE = "last_active";
    static final String UPDATED = "updated";
}
