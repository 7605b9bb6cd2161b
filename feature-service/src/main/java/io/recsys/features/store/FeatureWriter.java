package io.recsys.features.store;

import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.MapOutput;
import io.lettuce.core.output.ValueListOutput;
import io.lettuce.core.output.ValueOutput;
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

    /** Items per step-2 script: a few milliseconds of Redis time each on the development machine. */
    static final int ITEMS_PER_SCRIPT = 64;

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
     * Step 1 for the partitions' new entries: their users' state is read (one round trip for all), their changes and
     * the co-occurrence pairs computed here, then applied (one more round trip). {@code landmark}: the popularity
     * landmark (epoch ms) the round's decayed values are to be relative to.
     */
    public List<Started> start(String consumer, Map<Integer, List<LogEntry>> entries, long landmark, Instant now) {
        List<Integer> order = new ArrayList<>(entries.keySet());
        List<Map<String, List<Event>>> users = new ArrayList<>(order.size());
        List<AsyncCommand<String, String, List<String>>> recentReads = new ArrayList<>();
        List<AsyncCommand<String, String, String>> lastActiveReads = new ArrayList<>();
        List<AsyncCommand<String, String, ?>> reads = new ArrayList<>();
        for (int partition : order) {
            Map<String, List<Event>> byUser = eventsByUser(entries.get(partition));
            users.add(byUser);
            for (String userId : byUser.keySet()) {
                AsyncCommand<String, String, List<String>> recent = RedisLink.async(new Command<>(
                        CommandType.LRANGE,
                        new ValueListOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8)
                                .addKey(FeatureKeys.userRecent(partitions, userId))
                                .add(0)
                                .add(PlatformDefaults.COOCCURRENCE_LOOK_BACK_EVENTS - 1)));
                AsyncCommand<String, String, String> lastActive = RedisLink.async(new Command<>(
                        CommandType.HGET,
                        new ValueOutput<>(StringCodec.UTF8),
                        new CommandArgs<>(StringCodec.UTF8)
                                .addKey(FeatureKeys.userProfile(partitions, userId))
                                .add(FeatureKeys.LAST_ACTIVE)));
                recentReads.add(recent);
                lastActiveReads.add(lastActive);
                reads.add(recent);
                reads.add(lastActive);
            }
        }
        redis.run(reads);
        List<RoundChanges> changes = new ArrayList<>(order.size());
        List<AsyncCommand<String, String, String>> scripts = new ArrayList<>(order.size());
        int read = 0;
        for (int i = 0; i < order.size(); i++) {
            int partition = order.get(i);
            RoundChanges round = new RoundChanges(landmark);
            List<String> keys = new ArrayList<>();
            keys.add(partitions.stateKey(partition));
            keys.add(partitions.roundKey(partition));
            keys.add(partitions.ownerKey(partition));
            List<String> userArgs = new ArrayList<>();
            for (Map.Entry<String, List<Event>> user : users.get(i).entrySet()) {
                List<String> recent = recentReads.get(read).getOutput().get();
                String lastActive = lastActiveReads.get(read).getOutput().get();
                read++;
                UserChanges changed = new UserChanges(
                        recent == null ? List.of() : recent, lastActive == null ? 0 : Long.parseLong(lastActive));
                for (Event event : user.getValue()) {
                    addEvent(changed, event, round);
                }
                keys.add(FeatureKeys.userRecent(partitions, user.getKey()));
                keys.add(FeatureKeys.userProfile(partitions, user.getKey()));
                changed.addArguments(userArgs);
            }
            int applied = 0;
            for (LogEntry logged : entries.get(partition)) {
                switch (logged.entry()) {
                    case EventLogCodec.LoggedEvents batch ->
                        applied += batch.events().size();
                    case EventLogCodec.LoggedItem item -> {
                        round.setCatalog(
                                item.item().getItemId(),
                                Base64.getEncoder().encodeToString(item.item().toByteArray()));
                        applied++;
                    }
                    case EventLogCodec.Unknown unknown -> {
                        // passed over by moving past it, never applied
                    }
                }
            }
            List<String> args = new ArrayList<>(7 + userArgs.size());
            args.add(consumer);
            args.add(entries.get(partition).getLast().streamId());
            args.add(Integer.toString(applied));
            args.add(round.toText());
            args.add(Long.toString(now.toEpochMilli()));
            args.add(Integer.toString(properties.recentItemsKept()));
            args.add(Long.toString(properties.userTtl().toSeconds()));
            args.addAll(userArgs);
            changes.add(round);
            scripts.add(RedisLink.eval(APPLY_USERS, keys, args, new ValueOutput<>(StringCodec.UTF8)));
        }
        redis.run(scripts);
        // with replicas asked for, a round is built on (its items written) only once a failover cannot undo step 1
        redis.awaitReplicas(() -> order.stream().map(partitions::stateKey).toList());
        List<Started> started = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            Status status = status(String.valueOf(scripts.get(i).getOutput().get()));
            Optional<Round> round = status == Status.STARTED
                    ? Optional.of(new Round(
                            order.get(i), entries.get(order.get(i)).getLast().streamId(), changes.get(i)))
                    : Optional.empty();
            started.add(new Started(order.get(i), status, round));
        }
        return started;
    }

    /** The entries' events by user, users in order of first appearance, each user's events in log order. */
    private static Map<String, List<Event>> eventsByUser(List<LogEntry> entries) {
        Map<String, List<Event>> byUser = new LinkedHashMap<>();
        for (LogEntry logged : entries) {
            if (logged.entry() instanceof EventLogCodec.LoggedEvents batch) {
                for (Event event : batch.events()) {
                    byUser.computeIfAbsent(event.getUserId(), u -> new ArrayList<>(2))
                            .add(event);
                }
            }
        }
        return byUser;
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

    private void addEvent(UserChanges user, Event event, RoundChanges round) {
        String type = EventTypeNames.nameOf(event.getType(), event.getCustomType());
        long occurredAt = EventLogCodec.toInstant(event.getOccurredAt()).toEpochMilli();
        double weight = properties.weightOf(type);
        String element = RecentInteraction.encode(
                event.getItemId(), type, occurredAt, event.hasValue() ? event.getValue() : null);
        user.add(
                event.getItemId(),
                element,
                type,
                occurredAt,
                weight,
                properties.cooccurrenceRecentItems(),
                PlatformDefaults.COOCCURRENCE_LOOK_BACK_EVENTS,
                round);
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
        return Optional.of(new Round(partition, stored.get("id"), RoundChanges.fromText(stored.get("changes"))));
    }

    /** Steps 2 to 4 for started (or stored) rounds: two round trips, whatever their number. */
    public void finish(List<Round> rounds, Instant now) {
        if (rounds.isEmpty()) {
            return;
        }
        List<AsyncCommand<String, String, ?>> apply = new ArrayList<>(rounds.size() + 1);
        for (Round round : rounds) {
            apply.addAll(itemsScripts(round, now));
        }
        // one popularity script per round, not one for all: each holds Redis briefly
        for (Round round : rounds) {
            apply.add(popularityScript(List.of(round), now));
        }
        redis.run(apply);
        // the stored round is the only record of what steps 2 and 3 must do: kept until a failover cannot undo them
        redis.awaitReplicas(() -> {
            List<String> written = new ArrayList<>();
            written.add(FeatureKeys.POPULAR_ALL_TIME);
            rounds.forEach(round -> round.changes().items().keySet().forEach(id -> written.add(FeatureKeys.item(id))));
            return written;
        });
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
        List<AsyncCommand<String, String, Long>> scripts = new ArrayList<>();
        rounds.forEach(round -> scripts.addAll(itemsScripts(round, now)));
        redis.run(scripts);
    }

    /**
     * Step 2 for one round: scripts of up to {@link #ITEMS_PER_SCRIPT} items, each for the items of one Redis node (all
     * of them on a single Redis). Short scripts let the readers' commands in between.
     */
    private List<AsyncCommand<String, String, Long>> itemsScripts(Round round, Instant now) {
        Map<String, List<Map<String, RoundChanges.ItemChange>>> byNode = new LinkedHashMap<>();
        round.changes().items().forEach((id, item) -> {
            List<Map<String, RoundChanges.ItemChange>> chunks =
                    byNode.computeIfAbsent(redis.nodeOf(FeatureKeys.item(id)), node -> new ArrayList<>());
            if (chunks.isEmpty() || chunks.getLast().size() == ITEMS_PER_SCRIPT) {
                chunks.add(new LinkedHashMap<>());
            }
            chunks.getLast().put(id, item);
        });
        List<AsyncCommand<String, String, Long>> scripts = new ArrayList<>();
        byNode.values().forEach(chunks -> chunks.forEach(items -> scripts.add(itemsScript(round, items, now))));
        return scripts;
    }

    private AsyncCommand<String, String, Long> itemsScript(
            Round round, Map<String, RoundChanges.ItemChange> items, Instant now) {
        List<String> keys = List.of(FeatureKeys.item(items.keySet().iterator().next()));
        List<String> args = new ArrayList<>(8 + items.size() * 13);
        args.add(FeatureKeys.appliedRoundField(partitions.tag(round.partition())));
        args.add(round.id());
        args.add(Long.toString(round.changes().landmark()));
        DecayWindow.IN_SCRIPT_ORDER.forEach(window -> args.add(Long.toString(window.tauMillis())));
        args.add(Integer.toString(properties.neighboursKept()));
        args.add(Long.toString(now.toEpochMilli()));
        items.forEach((id, item) -> {
            args.add(id);
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
