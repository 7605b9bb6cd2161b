package io.recsys.gateway.limits;

import java.util.List;

/**
 * The Redis keys of a client's token bucket. Both carry the bucket key as a hash tag, so that they share a slot and the
 * script runs on Redis Cluster too.
 */
public final class RateLimitKeys {

    public static final String PREFIX = "recsys:gateway:rate:";

    private RateLimitKeys() {}

    /** The script's KEYS: the bucket's tokens, then the time it was last refilled. */
    public static List<String> of(String bucket) {
        String tagged = PREFIX + "{" + bucket + "}";
        return List.of(tagged + ":tokens", tagged + ":refilled");
    }
}
