package io.recsys.features.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.google.protobuf.Timestamp;

import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.stereotype.Component;

import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.features.v1.FeatureStatus;
import io.recsys.contracts.features.v1.ItemFeatures;
import io.recsys.contracts.features.v1.Popularity;
import io.recsys.contracts.features.v1.UserFeatures;

/** Reads features: one user and many items in a single pipelined round trip. */
@Component
public class FeatureReader {

    private final StringRedisTemplate redis;

    public FeatureReader(StringRedisTemplate redis) {
        this.redis = redis;
    }

    public record Features(UserFeatures user, List<ItemFeatures> items) {
    }

    /** {@code userId} may be empty (items only); items come back in the order asked. */
    public Features read(String userId, int recentLimit, List<String> itemIds) {
        boolean withUser = !userId.isEmpty();
        List<Object> replies = redis.executePipelined(new SessionCallback<Object>() {
            @Override
            @SuppressWarnings("unchecked")
            public <K, V> Object execute(RedisOperations<K, V> operations) {
                RedisOperations<String, String> ops = (RedisOperations<String, String>) (RedisOperations<?, ?>) operations;
                if (withUser) {
                    ops.opsForList().range(FeatureKeys.userRecent(userId), 0, recentLimit - 1);
                    ops.opsForHash().entries(FeatureKeys.userProfile(userId));
                }
                for (String itemId : itemIds) {
                    ops.opsForZSet().score(FeatureKeys.POPULAR_ALL_TIME, itemId);
                    ops.opsForHash().entries(FeatureKeys.itemCatalog(itemId));
                    ops.opsForHash().entries(FeatureKeys.itemStats(itemId));
                }
                return null;
            }
        });
        int at = 0;
        UserFeatures user = UserFeatures.getDefaultInstance();
        if (withUser) {
            user = userFeatures(userId, strings(replies.get(0)), hash(replies.get(1)));
            at = 2;
        }
        List<ItemFeatures> items = new ArrayList<>(itemIds.size());
        for (String itemId : itemIds) {
            items.add(itemFeatures(itemId, (Double) replies.get(at), hash(replies.get(at + 1)), hash(replies.get(at + 2))));
            at += 3;
        }
        return new Features(user, items);
    }

    /** Best first, skipping {@code excluded}; all-time popularity (time windows come with decay). */
    public List<ScoredItem> popular(int limit, Set<String> excluded) {
        Set<ZSetOperations.TypedTuple<String>> top = redis.opsForZSet()
                .reverseRangeWithScores(FeatureKeys.POPULAR_ALL_TIME, 0, (long) limit + excluded.size() - 1);
        List<ScoredItem> items = new ArrayList<>(limit);
        if (top == null) {
            return items;
        }
        for (ZSetOperations.TypedTuple<String> tuple : top) {
            if (items.size() == limit) {
                break;
            }
            if (!excluded.contains(tuple.getValue())) {
                items.add(ScoredItem.newBuilder().setItemId(tuple.getValue()).setScore(tuple.getScore()).build());
            }
        }
        return items;
    }

    private static UserFeatures userFeatures(String userId, List<String> recent, Map<String, String> profile) {
        UserFeatures.Builder user = UserFeatures.newBuilder().setUserId(userId);
        if (recent.isEmpty() && profile.isEmpty()) {
            return user.setStatus(FeatureStatus.FEATURE_STATUS_NOT_FOUND).build();
        }
        user.setStatus(FeatureStatus.FEATURE_STATUS_PRESENT);
        recent.forEach(encoded -> user.addRecent(RecentInteraction.decode(encoded)));
        profile.forEach((field, value) -> {
            if (field.startsWith(FeatureKeys.COUNT_PREFIX)) {
                user.putEventCounts(field.substring(FeatureKeys.COUNT_PREFIX.length()), Long.parseLong(value));
            }
        });
        timestamp(profile, FeatureKeys.LAST_ACTIVE).ifPresent(user::setLastActiveAt);
        timestamp(profile, FeatureKeys.UPDATED).ifPresent(user::setUpdatedAt);
        return user.build();
    }

    private static ItemFeatures itemFeatures(String itemId, Double popularity, Map<String, String> catalog, Map<String, String> stats) {
        ItemFeatures.Builder item = ItemFeatures.newBuilder().setItemId(itemId);
        boolean hasStats = popularity != null || !stats.isEmpty();
        item.setStatus(hasStats ? FeatureStatus.FEATURE_STATUS_PRESENT : FeatureStatus.FEATURE_STATUS_NOT_FOUND);
        if (hasStats) {
            item.setPopularity(Popularity.newBuilder().setAllTime(popularity == null ? 0 : popularity));
            timestamp(stats, FeatureKeys.UPDATED).ifPresent(item::setUpdatedAt);
        }
        if (catalog.isEmpty()) {
            item.setCatalogStatus(FeatureStatus.FEATURE_STATUS_NOT_FOUND);
        } else if (EventLogCodec.decode(catalog) instanceof EventLogCodec.LoggedItem logged) {
            item.setCatalogStatus(FeatureStatus.FEATURE_STATUS_PRESENT).setCatalog(logged.item());
        } else {
            item.setCatalogStatus(FeatureStatus.FEATURE_STATUS_NOT_FOUND);
        }
        return item.build();
    }

    private static Optional<Timestamp> timestamp(Map<String, String> hash, String field) {
        String millis = hash.get(field);
        return millis == null ? Optional.empty()
                : Optional.of(EventLogCodec.toTimestamp(Instant.ofEpochMilli(Long.parseLong(millis))));
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object reply) {
        return reply == null ? List.of() : (List<String>) reply;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> hash(Object reply) {
        return reply == null ? Map.of() : (Map<String, String>) reply;
    }
}
