package io.recsys.features.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.ZSetOperations;
import org.springframework.stereotype.Component;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.MapOutput;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.features.v1.FeatureStatus;
import io.recsys.contracts.features.v1.ItemFeatures;
import io.recsys.contracts.features.v1.Popularity;
import io.recsys.contracts.features.v1.UserFeatures;
import io.recsys.servicekit.redis.RedisLink;

/** Reads features: one user and many items in a single round trip. */
@Component
public class FeatureReader {

    private final StringRedisTemplate redis;
    private final RedisLink link;

    public FeatureReader(StringRedisTemplate redis, RedisLink link) {
        this.redis = redis;
        this.link = link;
    }

    public record Features(UserFeatures user, List<ItemFeatures> items) {
    }

    /** {@code userId} may be empty (items only); items come back in the order asked. One round trip. */
    public Features read(String userId, int recentLimit, List<String> itemIds) {
        boolean withUser = !userId.isEmpty();
        List<AsyncCommand<String, String, ?>> commands = new ArrayList<>(itemIds.size() + 2);
        AsyncCommand<String, String, List<String>> recent = null;
        AsyncCommand<String, String, Map<String, String>> profile = null;
        if (withUser) {
            recent = RedisLink.async(new Command<>(CommandType.LRANGE, new ValueListOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).addKey(FeatureKeys.userRecent(userId)).add(0).add(recentLimit - 1)));
            profile = hashOf(FeatureKeys.userProfile(userId));
            commands.add(recent);
            commands.add(profile);
        }
        List<AsyncCommand<String, String, List<String>>> itemFields = new ArrayList<>(itemIds.size());
        for (String itemId : itemIds) {
            AsyncCommand<String, String, List<String>> fields = RedisLink.async(new Command<>(CommandType.HMGET,
                    new ValueListOutput<>(StringCodec.UTF8), new CommandArgs<>(StringCodec.UTF8).addKey(FeatureKeys.item(itemId))
                    .add(FeatureKeys.POPULARITY).add(FeatureKeys.UPDATED).add(FeatureKeys.CATALOG)));
            itemFields.add(fields);
            commands.add(fields);
        }
        link.run(commands);

        UserFeatures user = withUser ? userFeatures(userId, valueOf(recent, List.of()), valueOf(profile, Map.of()))
                : UserFeatures.getDefaultInstance();
        List<ItemFeatures> items = new ArrayList<>(itemIds.size());
        for (int i = 0; i < itemIds.size(); i++) {
            List<String> fields = valueOf(itemFields.get(i), List.of());
            items.add(itemFeatures(itemIds.get(i), field(fields, 0), field(fields, 1), field(fields, 2)));
        }
        return new Features(user, items);
    }

    private static AsyncCommand<String, String, Map<String, String>> hashOf(String key) {
        return RedisLink.async(new Command<>(CommandType.HGETALL, new MapOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).addKey(key)));
    }

    private static String field(List<String> values, int index) {
        return index < values.size() ? values.get(index) : null;
    }

    private static <T> T valueOf(AsyncCommand<String, String, T> command, T empty) {
        T value = command.getOutput().get();
        return value == null ? empty : value;
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

    private static ItemFeatures itemFeatures(String itemId, String popularity, String updated, String catalog) {
        ItemFeatures.Builder item = ItemFeatures.newBuilder().setItemId(itemId);
        item.setStatus(popularity != null ? FeatureStatus.FEATURE_STATUS_PRESENT : FeatureStatus.FEATURE_STATUS_NOT_FOUND);
        if (popularity != null) {
            item.setPopularity(Popularity.newBuilder().setAllTime(Double.parseDouble(popularity)));
        }
        if (updated != null) {
            item.setUpdatedAt(EventLogCodec.toTimestamp(Instant.ofEpochMilli(Long.parseLong(updated))));
        }
        if (catalog != null) {
            try {
                item.setCatalog(Item.parseFrom(Base64.getDecoder().decode(catalog))).setCatalogStatus(FeatureStatus.FEATURE_STATUS_PRESENT);
            } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
                throw new IllegalStateException("unreadable catalog entry of item " + itemId, e);
            }
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

}
