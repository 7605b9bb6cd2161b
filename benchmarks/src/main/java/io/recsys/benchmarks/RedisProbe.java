package io.recsys.benchmarks;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a benchmark asks Redis directly: memory figures and key counts. */
final class RedisProbe implements AutoCloseable {

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;

    RedisProbe(String host, int port) {
        client = RedisClient.create("redis://" + host + ":" + port);
        connection = client.connect();
        redis = connection.sync();
    }

    long usedMemory() {
        return infoLong("memory", "used_memory");
    }

    String version() {
        return infoField("server", "redis_version");
    }

    long memoryUsage(String key) {
        Long bytes = redis.memoryUsage(key);
        return bytes == null ? 0 : bytes;
    }

    long setSize(String key) {
        return redis.scard(key);
    }

    long streamLength(String key) {
        return redis.xlen(key);
    }

    /** Up to {@code limit} keys matching {@code pattern}. */
    List<String> sampleKeys(String pattern, int limit) {
        List<String> keys = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page =
                    redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(1000));
            keys.addAll(page.getKeys());
            cursor = page;
        } while (!cursor.isFinished() && keys.size() < limit);
        return keys.size() > limit ? keys.subList(0, limit) : keys;
    }

    /** Average bytes of the keys {@code siblings} derives from each sampled key (e.g. a user's other keys). */
    double averageBytes(List<String> sampled, java.util.function.Function<String, List<String>> siblings) {
        if (sampled.isEmpty()) {
            return 0;
        }
        long total = 0;
        for (String key : sampled) {
            for (String sibling : siblings.apply(key)) {
                total += memoryUsage(sibling);
            }
        }
        return (double) total / sampled.size();
    }

    long countKeys(String pattern) {
        long count = 0;
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            KeyScanCursor<String> page =
                    redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(10_000));
            count += page.getKeys().size();
            cursor = page;
        } while (!cursor.isFinished());
        return count;
    }

    /** Zeroes Redis's command statistics (CONFIG RESETSTAT). */
    void resetStats() {
        redis.configResetstat();
    }

    /** Per command: calls and microseconds of Redis time since the last reset (INFO commandstats). */
    Map<String, long[]> commandStats() {
        Map<String, long[]> stats = new LinkedHashMap<>();
        info("commandstats").forEach((name, value) -> {
            long calls = 0;
            long usec = 0;
            for (String part : value.split(",")) {
                if (part.startsWith("calls=")) {
                    calls = Long.parseLong(part.substring("calls=".length()));
                } else if (part.startsWith("usec=")) {
                    usec = Long.parseLong(part.substring("usec=".length()));
                }
            }
            stats.put(name.replace("cmdstat_", ""), new long[] {calls, usec});
        });
        return stats;
    }

    /** Sets keys (with a time to live), for taking leases away from the services. */
    void setAll(List<String> keys, String value, java.time.Duration ttl) {
        keys.forEach(key -> redis.set(key, value, io.lettuce.core.SetArgs.Builder.px(ttl.toMillis())));
    }

    void deleteAll(List<String> keys) {
        redis.del(keys.toArray(String[]::new));
    }

    /** The sum of one field over hashes (e.g. the partitions' "appended" counts); absent counts as 0. */
    long sumField(List<String> hashes, String field) {
        long sum = 0;
        for (String hash : hashes) {
            String value = redis.hget(hash, field);
            sum += value == null ? 0 : Long.parseLong(value);
        }
        return sum;
    }

    Map<String, String> info(String section) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : redis.info(section).split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                values.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return values;
    }

    private long infoLong(String section, String field) {
        return Long.parseLong(infoField(section, field));
    }

    private String infoField(String section, String field) {
        return info(section).getOrDefault(field, "0");
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}
