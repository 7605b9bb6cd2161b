package io.recsys.contracts.eventlog;

import io.recsys.contracts.platform.PlatformDefaults;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * How the event log and the per-user features are split into partitions, and the Redis keys of each; documented in
 * docs/event-log.md, mirrored by the python-worker ({@code recsys_worker.platform}).
 *
 * <p>A shopper's events all go to one partition, chosen by her user id. Every key a partition's append and apply steps
 * touch (its stream, de-duplication sets, state, and its users' features) carries the partition's hash tag, so each
 * step is one atomic script in one Redis Cluster slot. The tags are chosen so that partition {@code i} of {@code n}
 * hashes into the {@code i}-th of {@code n} equal slot ranges: a cluster whose masters hold equal ranges (what
 * {@code redis-cli --cluster create} makes) gets an equal share of partitions on each master.
 */
public final class EventLogPartitions {

    /** Redis Cluster's number of hash slots. */
    public static final int SLOTS = 16_384;

    private static final String PREFIX = "recsys:{";

    private final int count;
    private final String[] tags;

    public EventLogPartitions(int count) {
        if (count < 1 || count > 1024) {
            throw new IllegalArgumentException("the event log needs 1 to 1024 partitions, not " + count);
        }
        this.count = count;
        this.tags = new String[count];
        for (int partition = 0; partition < count; partition++) {
            tags[partition] = findTag(partition, count);
        }
    }

    /** How many partitions. */
    public int count() {
        return count;
    }

    /** The platform's default partition count. */
    public static EventLogPartitions platform() {
        return new EventLogPartitions(PlatformDefaults.EVENT_LOG_PARTITIONS);
    }

    /** The partition of a user's events and features: CRC-32 of the id's UTF-8 bytes, modulo the count. */
    public int ofUser(String userId) {
        CRC32 crc = new CRC32();
        crc.update(userId.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % count);
    }

    /** The hash tag of a partition: "p{i}-{s}", s the smallest suffix whose slot lies in the partition's range. */
    public String tag(int partition) {
        return tags[partition];
    }

    private static String findTag(int partition, int count) {
        long low = (long) partition * SLOTS / count;
        long high = (long) (partition + 1) * SLOTS / count;
        for (int suffix = 0; ; suffix++) {
            String tag = "p" + partition + "-" + suffix;
            int slot = slot(tag);
            if (slot >= low && slot < high) {
                return tag;
            }
        }
    }

    /** STREAM: the partition's log entries. */
    public String streamKey(int partition) {
        return key(partition, "log");
    }

    /** SET: event ids appended in de-duplication window number {@code window} (epoch time / window length). */
    public String seenKey(int partition, long window) {
        return key(partition, "seen:" + window);
    }

    /**
     * HASH: the partition's progress: "appended" (events and catalog entries logged), "applied" (of those, applied to
     * the features), "at" (stream id of the last entry applied).
     */
    public String stateKey(int partition) {
        return key(partition, "state");
    }

    /** HASH: the round being applied (what it changes beyond the partition's slot), deleted once it is complete. */
    public String roundKey(int partition) {
        return key(partition, "round");
    }

    /** STRING with a time to live: the name of the feature-service replica that applies this partition. */
    public String ownerKey(int partition) {
        return key(partition, "owner");
    }

    /** A key of one user's features, in her partition's slot: "recsys:{tag}:u:{user}:{what}". */
    public String userKey(String userId, String what) {
        return key(ofUser(userId), "u:" + userId + ":" + what);
    }

    private String key(int partition, String rest) {
        return PREFIX + tag(partition) + "}:" + rest;
    }

    /** Redis Cluster's slot of a hash tag: CRC-16/XMODEM of its bytes, modulo 16,384. */
    public static int slot(String tag) {
        int crc = 0;
        for (byte b : tag.getBytes(StandardCharsets.UTF_8)) {
            crc ^= (b & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc % SLOTS;
    }
}
