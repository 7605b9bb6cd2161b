package io.recsys.ingestion.eventlog;

import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.events.v1.Event;
import io.recsys.servicekit.redis.LuaScript;
import io.recsys.servicekit.redis.RedisLink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StreamOperations;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The durable event log: a Redis Stream. Each call is one round trip, and returns only after Redis has applied it, so
 * what the caller acknowledges is in the log.
 */
@Component
public class RedisEventLog {

    private static final LuaScript APPEND_EVENTS = LuaScript.fromClasspath("eventlog/append-events.lua");

    private final StringRedisTemplate redis;
    private final RedisLink link;
    private final EventLogProperties properties;
    private final Clock clock;

    public RedisEventLog(StringRedisTemplate redis, RedisLink link, EventLogProperties properties, Clock clock) {
        this.redis = redis;
        this.link = link;
        this.properties = properties;
        this.clock = clock;
    }

    /** What happened to one event: appended at a stream id, or skipped as a duplicate. */
    public record Appended(String streamId) {
        public boolean duplicate() {
            return streamId.isEmpty();
        }
    }

    /** Appends the events not seen within {@code dedupWindow}; one result per event, in order. */
    public List<Appended> appendEvents(List<Event> events, Duration dedupWindow) {
        if (events.isEmpty()) {
            return List.of();
        }
        Instant now = clock.instant();
        List<String> keys = new ArrayList<>(events.size() + 1);
        List<String> args = new ArrayList<>(events.size() * 24);
        keys.add(properties.streamKey());
        args.add(Long.toString(dedupWindow.toSeconds()));
        args.add(Long.toString(properties.maxLength()));
        for (Event event : events) {
            keys.add(properties.seenKeyPrefix() + event.getEventId());
            addFields(args, EventLogCodec.encode(event, now));
        }
        List<Object> ids = link.evalForList(APPEND_EVENTS, keys, args);
        if (ids == null || ids.size() != events.size()) {
            throw new IllegalStateException("event log answered " + (ids == null ? "nothing" : ids.size() + " results")
                    + " for " + events.size() + " events");
        }
        return ids.stream()
                .map(id -> new Appended(id == null ? "" : id.toString()))
                .toList();
    }

    /** Appends catalog upserts; the feature-service applies them in log order with the events. */
    public void appendItems(List<Item> items) {
        if (items.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        redis.executePipelined(new SessionCallback<Object>() {
            @Override
            @SuppressWarnings("unchecked")
            public <K, V> Object execute(RedisOperations<K, V> operations) {
                StreamOperations<String, String, String> stream = (StreamOperations<String, String, String>)
                        (StreamOperations<?, ?, ?>) operations.opsForStream();
                for (Item item : items) {
                    stream.add(properties.streamKey(), EventLogCodec.encode(item, now));
                }
                return null;
            }
        });
    }

    private static void addFields(List<String> args, Map<String, String> fields) {
        args.add(Integer.toString(fields.size()));
        fields.forEach((name, value) -> {
            args.add(name);
            args.add(value);
        });
    }
}
