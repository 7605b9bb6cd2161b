package io.recsys.features.store;

import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventTypeNames;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.platform.PlatformDefaults;
import io.recsys.servicekit.redis.LuaScript;
import io.recsys.servicekit.redis.RedisLink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Applies a batch of log entries to the features and acknowledges them, in one atomic script
 * ({@code features/apply-batch.lua}): exactly once in effect, one round trip per batch.
 */
@Component
public class FeatureWriter {

    private final RedisLink redis;
    private final FeatureStoreProperties properties;
    private static final LuaScript APPLY_BATCH = LuaScript.fromClasspath("features/apply-batch.lua");

    public FeatureWriter(RedisLink redis, FeatureStoreProperties properties) {
        this.redis = redis;
        this.properties = properties;
    }

    /** One entry of the log as read: its stream id and what it says. */
    public record LogEntry(String streamId, EventLogCodec.Entry entry) {}

    /** Applies and acknowledges the entries; returns how many were applied (not applied before). */
    public long applyAndAcknowledge(String stream, String group, List<LogEntry> entries, Instant now) {
        if (entries.isEmpty()) {
            return 0;
        }
        List<String> keys = new ArrayList<>(entries.size() * 3 + 7);
        List<String> args = new ArrayList<>(entries.size() * 7 + 7);
        keys.add(stream);
        keys.add(FeatureKeys.POPULAR_ALL_TIME);
        DecayWindow.IN_SCRIPT_ORDER.forEach(window -> keys.add(FeatureKeys.popular(window)));
        keys.add(FeatureKeys.POPULARITY_LANDMARK);
        keys.add(FeatureKeys.CHANGED_ITEMS);
        args.add(group);
        args.add(Long.toString(now.toEpochMilli()));
        args.add(Integer.toString(properties.recentItemsKept()));
        args.add(Long.toString(properties.userTtl().toSeconds()));
        DecayWindow.IN_SCRIPT_ORDER.forEach(window -> args.add(Long.toString(window.tauMillis())));
        args.add(Integer.toString(properties.cooccurrenceRecentItems()));
        args.add(Integer.toString(properties.neighboursKept()));
        args.add(Integer.toString(PlatformDefaults.COOCCURRENCE_LOOK_BACK_EVENTS));
        for (LogEntry logged : entries) {
            switch (logged.entry()) {
                case EventLogCodec.LoggedEvent e -> addEvent(keys, args, logged.streamId(), e.event());
                case EventLogCodec.LoggedItem i -> addItem(keys, args, logged.streamId(), i);
                case EventLogCodec.Unknown u -> {
                    args.add("s");
                    args.add(logged.streamId());
                }
            }
        }
        Long applied = redis.evalForLong(APPLY_BATCH, keys, args);
        return applied == null ? 0 : applied;
    }

    private void addEvent(List<String> keys, List<String> args, String streamId, Event event) {
        String type = EventTypeNames.nameOf(event.getType(), event.getCustomType());
        long occurredAt = EventLogCodec.toInstant(event.getOccurredAt()).toEpochMilli();
        keys.add(FeatureKeys.userRecent(event.getUserId()));
        keys.add(FeatureKeys.userProfile(event.getUserId()));
        keys.add(FeatureKeys.item(event.getItemId()));
        args.add("e");
        args.add(streamId);
        args.add(event.getItemId());
        args.add(RecentInteraction.encode(
                event.getItemId(), type, occurredAt, event.hasValue() ? event.getValue() : null));
        args.add(type);
        args.add(Long.toString(occurredAt));
        args.add(Double.toString(properties.weightOf(type)));
    }

    private static void addItem(
            List<String> keys, List<String> args, String streamId, EventLogCodec.LoggedItem logged) {
        keys.add(FeatureKeys.item(logged.item().getItemId()));
        args.add("i");
        args.add(streamId);
        args.add(Base64.getEncoder().encodeToString(logged.item().toByteArray()));
        args.add(logged.item().getItemId());
    }
}
