package io.recsys.contracts.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventLogPartitionsTest {

    @Test
    void slotsAreRedisClusterSlots() {
        // the examples of the Redis Cluster specification: CRC16 of "123456789" is 0x31C3
        assertThat(EventLogPartitions.slot("123456789")).isEqualTo(0x31C3);
        assertThat(EventLogPartitions.slot("user1000")).isEqualTo(3443);
    }

    @Test
    void eachPartitionsTagLiesInItsShareOfTheSlots() {
        EventLogPartitions partitions = new EventLogPartitions(8);

        IntStream.range(0, 8)
                .forEach(p ->
                        assertThat(EventLogPartitions.slot(partitions.tag(p))).isBetween(p * 2048, p * 2048 + 2047));
        // the python-worker computes the same tags (tests/test_platform.py holds the same list)
        assertThat(IntStream.range(0, 8).mapToObj(partitions::tag))
                .containsExactly("p0-0", "p1-43", "p2-43", "p3-0", "p4-42", "p5-0", "p6-0", "p7-42");
    }

    @Test
    void aUsersKeysShareHerPartitionsSlot() {
        EventLogPartitions partitions = new EventLogPartitions(8);
        int partition = partitions.ofUser("shopper-42");

        assertThat(partitions.userKey("shopper-42", "recent"))
                .isEqualTo("recsys:{" + partitions.tag(partition) + "}:u:shopper-42:recent");
        assertThat(partitions.streamKey(partition)).isEqualTo("recsys:{" + partitions.tag(partition) + "}:log");
        // CRC-32 as zlib computes it, which the worker uses: crc32(b"shopper-42") % 8
        assertThat(partition).isEqualTo((int) (0x2442FD42L % 8));
    }
}
