package io.recsys.features.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventTypeNames;
import io.recsys.contracts.events.v1.Event;

/** Applies logged events and catalog upserts to the features, a whole batch per round trip. */
@Component
public class FeatureWriter {

    private final StringRedisTemplate redis;
    private final FeatureStoreProperties properties;

    public FeatureWriter(StringRedisTemplate redis, FeatureStoreProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    public void apply(List<EventLogCodec.Entry> entries, Instant now) {
        if (entries.isEmpty()) {
            return;
        }
        redis.executePipelined(new SessionCallback<Object>() {
            @Override
            @SuppressWarnings("unchecked")
            public <K, V> Object execute(RedisOperations<K, V> operations) {
                RedisOperations<String, String> ops = (RedisOperations<String, String>) (RedisOperations<?, ?>) operations;
                for (EventLogCodec.Entry entry : entries) {
                    switch (entry) {
                        case EventLogCodec.LoggedEvent logged -> applyEvent(ops, logged.event(), now);
                        case EventLogCodec.LoggedItem logged -> applyItem(ops, logged);
                        case EventLogCodec.Unknown unknown -> { }
                    }
                }
                return null;
            }
        });
    }

    private void applyEvent(RedisOperations<String, String> ops, Event event, Instant now) {
        String type = EventTypeNames.nameOf(event.getType(), event.getCustomType());
        long occurredAt = EventLogCodec.toInstant(event.getOccurredAt()).toEpochMilli();
        String recentKey = FeatureKeys.userRecent(event.getUserId());
        String profileKey = FeatureKeys.userProfile(event.getUserId());
        String statsKey = FeatureKeys.itemStats(event.getItemId());

        ops.opsForList().leftPush(recentKey, RecentInteraction.encode(event.getItemId(), type, occurredAt,
                event.hasValue() ? event.getValue() : null));
        ops.opsForList().trim(recentKey, 0, properties.recentItemsKept() - 1);
        ops.opsForHash().increment(profileKey, FeatureKeys.COUNT_PREFIX + type, 1);
        ops.opsForHash().putAll(profileKey, Map.of(
                FeatureKeys.LAST_ACTIVE, Long.toString(occurredAt),
                FeatureKeys.UPDATED, Long.toString(now.toEpochMilli())));
        ops.expire(recentKey, properties.userTtl());
        ops.expire(profileKey, properties.userTtl());

        ops.opsForHash().increment(statsKey, FeatureKeys.COUNT_PREFIX + type, 1);
        ops.opsForHash().put(statsKey, FeatureKeys.UPDATED, Long.toString(now.toEpochMilli()));
        ops.opsForZSet().incrementScore(FeatureKeys.POPULAR_ALL_TIME, event.getItemId(), properties.weightOf(type));
    }

    private void applyItem(RedisOperations<String, String> ops, EventLogCodec.LoggedItem logged) {
        String key = FeatureKeys.itemCatalog(logged.item().getItemId());
        // stored in the log's own layout, so that one codec reads both
        Map<String, String> fields = EventLogCodec.encode(logged.item(), logged.ingestedAt());
        // an upsert replaces the item's catalog entry: attributes dropped by the feed must disappear
        ops.delete(key);
        ops.opsForHash().putAll(key, fields);
    }
}
