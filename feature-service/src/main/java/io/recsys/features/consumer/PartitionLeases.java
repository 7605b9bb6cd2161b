package io.recsys.features.consumer;

import io.lettuce.core.Range;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.servicekit.redis.LuaScript;
import io.recsys.servicekit.redis.RedisLink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.springframework.stereotype.Component;

/**
 * Shares the event log's partitions out among the live feature-service replicas. Each replica renews its membership (a
 * sorted set in {@code {global}}, scored by when it lapses) and takes partition {@code i} when it is the {@code i mod
 * n}-th of the {@code n} live replicas by name; it applies a partition only while it holds the partition's lease
 * ({@code features/lease.lua}), which the apply step checks atomically. A replica that dies stops renewing: after the
 * lease's time to live the others share its partitions and finish any round it left.
 */
@Component
public class PartitionLeases {

    static final String MEMBERS = "recsys:{global}:consumers";
    private static final LuaScript LEASE = LuaScript.fromClasspath("features/lease.lua");

    private final RedisLink redis;
    private final EventLogPartitions partitions;
    private final ConsumerProperties properties;
    private final Set<Integer> held = new TreeSet<>();

    public PartitionLeases(RedisLink redis, EventLogPartitions partitions, ConsumerProperties properties) {
        this.redis = redis;
        this.partitions = partitions;
        this.properties = properties;
    }

    /** The partitions this replica holds, as of the last renewal. */
    public synchronized Set<Integer> held() {
        return Set.copyOf(held);
    }

    /** Renews membership and leases, takes and gives up partitions as the live replicas say; returns those taken. */
    public synchronized Set<Integer> renew(Instant now) {
        String me = properties.consumerName();
        long lapse = now.toEpochMilli() + properties.leaseTtl().toMillis();
        List<Function<RedisClusterAsyncCommands<String, String>, RedisFuture<Object>>> membership = List.of(
                r -> widen(r.zadd(MEMBERS, (double) lapse, me)),
                r -> widen(r.zremrangebyscore(
                        MEMBERS, Range.create(Double.NEGATIVE_INFINITY, (double) now.toEpochMilli()))),
                r -> widen(r.zrange(MEMBERS, 0, -1)));
        @SuppressWarnings("unchecked")
        List<String> live =
                new ArrayList<>((List<String>) redis.callAll(membership).get(2));
        live.sort(null);
        int rank = live.indexOf(me);
        List<Integer> order = new ArrayList<>(partitions.count());
        List<String> actions = new ArrayList<>(partitions.count());
        for (int p = 0; p < partitions.count(); p++) {
            boolean wanted = rank >= 0 && p % live.size() == rank;
            if (wanted || held.contains(p)) {
                order.add(p);
                actions.add(wanted ? "hold" : "release");
            }
        }
        List<Long> answers = new ArrayList<>(order.size());
        for (int i = 0; i < order.size(); i++) {
            answers.add(redis.evalForLong(
                    LEASE,
                    List.of(partitions.ownerKey(order.get(i))),
                    List.of(
                            me,
                            actions.get(i),
                            Long.toString(properties.leaseTtl().toMillis()))));
        }
        Set<Integer> taken = new TreeSet<>();
        for (int i = 0; i < order.size(); i++) {
            int p = order.get(i);
            if (answers.get(i) == 1) {
                if (held.add(p)) {
                    taken.add(p);
                }
            } else {
                held.remove(p);
            }
        }
        return taken;
    }

    /** The apply step found the lease held by another replica: stop applying the partition. */
    public synchronized void lost(int partition) {
        held.remove(partition);
    }

    /** Gives every lease and the membership up (on shutdown), so that the others take over at once. */
    public synchronized void releaseAll() {
        for (int p : held) {
            redis.evalForLong(
                    LEASE,
                    List.of(partitions.ownerKey(p)),
                    List.of(
                            properties.consumerName(),
                            "release",
                            Long.toString(properties.leaseTtl().toMillis())));
        }
        held.clear();
        redis.call(r -> r.zrem(MEMBERS, properties.consumerName()));
    }

    @SuppressWarnings("unchecked")
    private static RedisFuture<Object> widen(RedisFuture<?> future) {
        return (RedisFuture<Object>) future;
    }
}
