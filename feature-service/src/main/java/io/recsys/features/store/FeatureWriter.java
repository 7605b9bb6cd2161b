package io.recsys.features.store;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.ArrayOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.MapOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.eventlog.EventTypeNames;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.platform.PlatformDefaults;
import io.recsys.servicekit.redis.LuaScript;
import io.recsys.servicekit.redis.RedisLink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Applies the event log to the features, a round at a time per partition (docs/feature-store.md):
 *
 * <ol>
 *   <li>{@link #start}: the partition's users, its position in the log and the round's remaining changes, in one atomic
 *       script in the partition's slot ({@code features/apply-users.lua});
 *   <li>{@link #finish}: the items ({@code apply-items.lua}) and the popularity lists and change feed
 *       ({@code apply-popularity.lua}), each idempotent per round, then the stored round is forgotten
 *       ({@code finish-round.lua}).
 * </ol>
 *
 * A crash between the steps leaves the round stored; whoever holds the partition next finishes it. Every entry's effect
 * lands exactly once, and no script spans slots beyond one node.
 */
@Component
public class FeatureWriter {

    private static final LuaScript APPLY_USERS = LuaScript.fromClasspath("features/apply-users.lua");
    private static final LuaScript APPLY_ITEMS = LuaScript.fromClasspath("features/apply-items.lua");
    private static final LuaScript APPLY_POPULARITY = LuaScript.fromClasspath("features/apply-popularity.lua");
    private static final LuaScript FINISH_ROUND = LuaScript.fromClasspath("features/finish-round.lua");

    private final RedisLink redis;
    private final FeatureStoreProperties properties;
    private final EventLogPartitions partitions;

    public FeatureWriter(RedisLink redis, FeatureStoreProperties properties, EventLogPartitions partitions) {
        this.redis = redis;
        this.properties = properties;
        this.partitions = partitions;
    }

    /** One entry of a partition's log as read: its stream id and what it says. */
    public record LogEntry(String streamId, EventLogCodec.Entry entry) {}

    /** A partition's round: its id (the stream id of its last entry) and its changes beyond the partition. */
    public record Round(int partition, String id, RoundChanges changes) {}

    /** How step 1 went for one partition. */
    public enum Status {
        /** applied; the round must now be finished */
        STARTED,
        /** this consumer does not hold the partition (any more) */
        NOT_OWNER,
        /** a stored round must be finished first */
        UNFINISHED,
        /** the entries do not follow the partition's position: read again from there */
        STALE
    }

    public record Started(int partition, Status status, Optional<Round> round) {}

    /**
     * Step 1 for the partitions' new entries, all in one round trip. {@code landmark}: the popularity landmark (epoch
     * ms) the round's decayed values are to be relative to.
     */
    public List<Started> start(String consumer, Map<Integer, List<LogEntry>> entries, long landmark, Instant now) {
        List<Integer> order = new ArrayList<>(entries.keySet());
        List<RoundChanges> changes = new ArrayList<>(order.size());
        List<AsyncCommand<String, String, List<Object>>> scripts = new ArrayList<>(order.size());
        for (int partition : order) {
            RoundChanges round = new RoundChanges(landmark);
            changes.add(round);
            scripts.add(startScript(consumer, partition, entries.get(partition), round, now));
        }
        redis.run(scripts);
        List<Started> started = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            List<Object> reply = scripts.get(i).getOutput().get();
            Status status = status(String.valueOf(reply.getFirst()));
            List<LogEntry> partitionEntries = entries.get(order.get(i));
            Optional<Round> round = Optional.empty();
            if (status == Status.STARTED) {
                changes.get(i).addNeighbours(String.valueOf(reply.get(1)));
                round = Optional.of(
                        new Round(order.get(i), partitionEntries.getLast().streamId(), changes.get(i)));
            }
            started.add(new Started(order.get(i), status, round));
        }
        return started;
    }

    private static Status status(String reply) {
        return switch (reply) {
            case "ok" -> Status.STARTED;
            case "not-owner" -> Status.NOT_OWNER;
            case "unfinished" -> Status.UNFINISHED;
            case "stale" -> Status.STALE;
            default -> throw new IllegalStateException("apply-users.lua answered " + reply);
        };
    }

    private AsyncCommand<String, String, List<Object>> startScript(
            String consumer, int partition, List<LogEntry> entries, RoundChanges round, Instant now) {
        Map<String, Integer> users = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>();
        keys.add(partitions.stateKey(partition));
        keys.add(partitions.roundKey(partition));
        keys.add(partitions.ownerKey(partition));
        List<String> eventArgs = new ArrayList<>();
        int applied = 0;
        for (LogEntry logged : entries) {
            switch (logged.entry()) {
                case EventLogCodec.LoggedEvents batch -> {
                    for (Event event : batch.events()) {
                        Integer user = users.get(event.getUserId());
                        if (user == null) {
                            user = users.size() + 1;
                            users.put(event.getUserId(), user);
                            keys.add(FeatureKeys.userRecent(partitions, event.getUserId()));
                            keys.add(FeatureKeys.userProfile(partitions, event.getUserId()));
                        }
                        addEvent(eventArgs, user, event, round);
                    }
                    applied += batch.events().size();
                }
                case EventLogCodec.LoggedItem item -> {
                    round.setCatalog(
                            item.item().getItemId(),
                            Base64.getEncoder().encodeToString(item.item().toByteArray()));
                    applied++;
                }
                case EventLogCodec.Unknown unknown -> {
                    // acknowledged by moving past it, never applied
                }
            }
        }
        List<String> args = new ArrayList<>(9 + eventArgs.size());
        args.add(consumer);
        args.add(entries.getLast().streamId());
        args.add(Integer.toString(applied));
        args.add(round.toText());
        args.add(Long.toString(now.toEpochMilli()));
        args.add(Integer.toString(properties.recentItemsKept()));
        args.add(Long.toString(properties.userTtl().toSeconds()));
        args.add(Integer.toString(properties.cooccurrenceRecentItems()));
        args.add(Integer.toString(PlatformDefaults.COOCCURRENCE_LOOK_BACK_EVENTS));
        args.addAll(eventArgs);
        return RedisLink.eval(APPLY_USERS, keys, args, new ArrayOutput<>(StringCodec.UTF8));
    }

    private void addEvent(List<String> args, int user, Event event, RoundChanges round) {
        String type = EventTypeNames.nameOf(event.getType(), event.getCustomType());
        long occurredAt = EventLogCodec.toInstant(event.getOccurredAt()).toEpochMilli();
        double weight = properties.weightOf(type);
        args.add(Integer.toString(user));
        args.add(event.getItemId());
        args.add(RecentInteraction.encode(
                event.getItemId(), type, occurredAt, event.hasValue() ? event.getValue() : null));
        args.add(type);
        args.add(Long.toString(occurredAt));
        args.add(Double.toString(weight));
        round.addEvent(event.getItemId(), type, weight, occurredAt);
    }

    /** The round a partition's previous owner (or this consumer, before a failure) left unfinished, if any. */
    public Optional<Round> storedRound(int partition) {
        Map<String, String> stored = redis.run(RedisLink.async(new Command<>(
                CommandType.HGETALL,
                new MapOutput<>(StringCodec.UTF8),
                new CommandArgs<>(StringCodec.UTF8).addKey(partitions.roundKey(partition)))));
        if (stored == null || stored.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Round(
                partition,
                stored.get("id"),
                RoundChanges.fromText(stored.get("changes"), stored.getOrDefault("co", ""))));
    }

    /** Steps 2 to 4 for started (or stored) rounds: two round trips, whatever their number. */
    public void finish(List<Round> rounds, Instant now) {
        if (rounds.isEmpty()) {
            return;
        }
        List<AsyncCommand<String, String, ?>> apply = new ArrayList<>(rounds.size() + 1);
        for (Round round : rounds) {
            if (!round.changes().items().isEmpty()) {
                apply.add(itemsScript(round, now));
            }
        }
        apply.add(popularityScript(rounds, now));
        redis.run(apply);
        List<AsyncCommand<String, String, ?>> forget = new ArrayList<>(rounds.size());
        for (Round round : rounds) {
            forget.add(RedisLink.eval(
                    FINISH_ROUND,
                    List.of(partitions.roundKey(round.partition())),
                    List.of(round.id()),
                    new IntegerOutput<>(StringCodec.UTF8)));
        }
        redis.run(forget);
    }

    /** Step 2 alone, as a replica that dies before step 3 leaves it; for tests of what the next owner does. */
    void finishItemsOnly(List<Round> rounds, Instant now) {
        redis.run(rounds.stream().map(round -> itemsScript(round, now)).toList());
    }

    private AsyncCommand<String, String, Long> itemsScript(Round round, Instant now) {
        Map<String, RoundChanges.ItemChange> items = round.changes().items();
        List<String> keys = new ArrayList<>(items.size() * 2);
        List<String> args = new ArrayList<>(8 + items.size() * 12);
        args.add(FeatureKeys.appliedRoundField(partitions.tag(round.partition())));
        args.add(round.id());
        args.add(Long.toString(round.changes().landmark()));
        DecayWindow.IN_SCRIPT_ORDER.forEach(window -> args.add(Long.toString(window.tauMillis())));
        args.add(Integer.toString(properties.neighboursKept()));
        args.add(Long.toString(now.toEpochMilli()));
        items.forEach((id, item) -> {
            keys.add(FeatureKeys.item(id));
            keys.add(FeatureKeys.neighbours(id));
            args.add(Integer.toString(item.counts.size()));
            item.counts.forEach((type, count) -> {
                args.add(type);
                args.add(Integer.toString(count));
            });
            args.add(Double.toString(item.popularity));
            for (double value : item.decayed) {
                args.add(Double.toString(value));
            }
            args.add(item.catalog);
            args.add(Integer.toString(item.neighbours.size()));
            item.neighbours.forEach((neighbour, weight) -> {
                args.add(neighbour);
                args.add(Double.toString(weight));
            });
        });
        return RedisLink.eval(APPLY_ITEMS, keys, args, new IntegerOutput<>(StringCodec.UTF8));
    }

    private AsyncCommand<String, String, Long> popularityScript(List<Round> rounds, Instant now) {
        List<String> keys = new ArrayList<>(7);
        keys.add(FeatureKeys.POPULAR_ALL_TIME);
        DecayWindow.IN_SCRIPT_ORDER.forEach(window -> keys.add(FeatureKeys.popular(window)));
        keys.add(FeatureKeys.POPULARITY_LANDMARK);
        keys.add(FeatureKeys.CHANGED_ITEMS);
        keys.add(FeatureKeys.POPULARITY_ROUNDS);
        List<String> args = new ArrayList<>();
        args.add(Long.toString(now.toEpochMilli()));
        DecayWindow.IN_SCRIPT_ORDER.forEach(window -> args.add(Long.toString(window.tauMillis())));
        for (Round round : rounds) {
            List<String> listed = round.changes().listedItems();
            args.add(partitions.tag(round.partition()));
            args.add(round.id());
            args.add(Long.toString(round.changes().landmark()));
            args.add(Integer.toString(listed.size()));
            for (String id : listed) {
                RoundChanges.ItemChange item = round.changes().items().get(id);
                args.add(id);
                args.add(Double.toString(item.popularity));
                for (double value : item.decayed) {
                    args.add(Double.toString(value));
                }
            }
        }
        return RedisLink.eval(APPLY_POPULARITY, keys, args, new IntegerOutput<>(StringCodec.UTF8));
    }
}
