package io.recsys.features.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import io.recsys.testsupport.RealRedis;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Rounds applied twice, left half done, or started by a replica that lost its lease, against a real Redis, with the
 * background consumer off: every entry's effect lands exactly once.
 */
@SpringBootTest(properties = {"spring.grpc.server.port=0", "server.port=0", "recsys.features.consumer.enabled=false"})
class ExactlyOnceApplyTest {

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        redis.registerSpringProperties(registry::add);
    }

    @Autowired
    StringRedisTemplate redisTemplate;

    @Autowired
    FeatureWriter writer;

    @Autowired
    FeatureReader reader;

    @Autowired
    EventLogPartitions partitions;

    @BeforeEach
    void freshLog() {
        redisTemplate
                .getRequiredConnectionFactory()
                .getConnection()
                .serverCommands()
                .flushAll();
        for (int i = 0; i < 50; i++) {
            append(Event.newBuilder()
                    .setEventId("e" + i)
                    .setUserId("u" + (i % 5))
                    .setItemId("i" + (i % 7))
                    .setType(i % 3 == 0 ? EventType.EVENT_TYPE_PURCHASE : EventType.EVENT_TYPE_VIEW)
                    .build());
        }
        redisTemplate.opsForStream().add(partitions.streamKey(0), Map.of("kind", "event", "v", "99"));
        for (int p = 0; p < partitions.count(); p++) {
            redisTemplate.opsForValue().set(partitions.ownerKey(p), "a");
        }
    }

    private void append(Event event) {
        redisTemplate
                .opsForStream()
                .add(
                        partitions.streamKey(partitions.ofUser(event.getUserId())),
                        EventLogCodec.encodeEvents(List.of(event), Instant.now()));
    }

    private void append(Item item) {
        redisTemplate
                .opsForStream()
                .add(
                        partitions.streamKey(partitions.ofUser(item.getItemId())),
                        EventLogCodec.encode(item, Instant.now()));
    }

    /** Each partition's entries after {@code after} (its stream id; all when absent). */
    private Map<Integer, List<FeatureWriter.LogEntry>> read(Map<Integer, String> after) {
        Map<Integer, List<FeatureWriter.LogEntry>> entries = new LinkedHashMap<>();
        for (int p = 0; p < partitions.count(); p++) {
            String from = after.getOrDefault(p, "0-0");
            List<FeatureWriter.LogEntry> partition = new ArrayList<>();
            List<MapRecord<String, String, String>> records = redisTemplate
                    .<String, String>opsForStream()
                    .read(StreamOffset.create(partitions.streamKey(p), ReadOffset.from(from)));
            for (MapRecord<String, String, String> record : records) {
                partition.add(
                        new FeatureWriter.LogEntry(record.getId().getValue(), EventLogCodec.decode(record.getValue())));
            }
            if (!partition.isEmpty()) {
                entries.put(p, partition);
            }
        }
        return entries;
    }

    private List<FeatureWriter.Round> start(String consumer, Map<Integer, List<FeatureWriter.LogEntry>> entries) {
        List<FeatureWriter.Round> rounds = new ArrayList<>();
        for (FeatureWriter.Started started :
                writer.start(consumer, entries, Instant.now().toEpochMilli(), Instant.now())) {
            started.round().ifPresent(rounds::add);
        }
        return rounds;
    }

    private Map<Object, Object> itemHash(String item) {
        return redisTemplate.opsForHash().entries("recsys:i:{" + item + "}");
    }

    private double totalPopularity() {
        return redisTemplate.opsForZSet().rangeWithScores("recsys:{global}:popular:all", 0, -1).stream()
                .mapToDouble(t -> t.getScore())
                .sum();
    }

    private String profileField(String user, String field) {
        return (String) redisTemplate.opsForHash().get(partitions.userKey(user, "profile"), field);
    }

    @Test
    void aRoundStartedAgainIsRefusedAndARoundFinishedTwiceChangesNothing() {
        Map<Integer, List<FeatureWriter.LogEntry>> entries = read(Map.of());
        List<FeatureWriter.Round> rounds = start("a", entries);
        writer.finish(rounds, Instant.now());
        Map<Object, Object> afterFirst = itemHash("i0");
        String userPurchases = profileField("u0", "n:purchase");

        List<FeatureWriter.Started> again =
                writer.start("a", entries, Instant.now().toEpochMilli(), Instant.now());
        writer.finish(rounds, Instant.now());

        assertThat(rounds).hasSize(entries.size());
        assertThat(again).extracting(FeatureWriter.Started::status).containsOnly(FeatureWriter.Status.STALE);
        assertThat(itemHash("i0"))
                .containsEntry("pop", afterFirst.get("pop"))
                .containsEntry("n:view", afterFirst.get("n:view"));
        assertThat(profileField("u0", "n:purchase")).isEqualTo(userPurchases);
        assertThat(redisTemplate.opsForList().size(partitions.userKey("u0", "recent")))
                .isEqualTo(10);
        // 17 purchases (weight 8) and 33 views (weight 1)
        assertThat(totalPopularity()).isEqualTo(17 * 8 + 33);
        for (int p = 0; p < partitions.count(); p++) {
            assertThat(redisTemplate.hasKey(partitions.roundKey(p))).isFalse();
        }
    }

    @Test
    void aRoundLeftHalfDoneIsFinishedByTheNextOwnerExactlyOnce() {
        List<FeatureWriter.Round> rounds = start("a", read(Map.of()));
        // replica "a" dies after step 1 on every partition and the items of the first round; "b" takes over
        writer.finishItemsOnly(rounds.subList(0, 1), Instant.now());
        for (int p = 0; p < partitions.count(); p++) {
            redisTemplate.opsForValue().set(partitions.ownerKey(p), "b");
        }
        List<FeatureWriter.Round> stored = new ArrayList<>();
        for (int p = 0; p < partitions.count(); p++) {
            writer.storedRound(p).ifPresent(stored::add);
        }
        writer.finish(stored, Instant.now());

        assertThat(stored).hasSameSizeAs(rounds);
        assertThat(totalPopularity()).isEqualTo(17 * 8 + 33);
        double itemPopularity = 0;
        for (int i = 0; i < 7; i++) {
            itemPopularity += Double.parseDouble((String) itemHash("i" + i).get("pop"));
        }
        assertThat(itemPopularity).isEqualTo(17 * 8 + 33);
        // the stored rounds carried the co-occurrence pairs too, including those of items without events of their own
        Map<String, Map<String, Double>> pairs = new LinkedHashMap<>();
        rounds.forEach(round -> round.changes()
                .items()
                .forEach((item, change) -> change.neighbours.forEach(
                        (neighbour, weight) -> pairs.computeIfAbsent(item, i -> new LinkedHashMap<>())
                                .merge(neighbour, weight, Double::sum))));
        assertThat(pairs).isNotEmpty();
        pairs.forEach((item, expected) -> {
            Map<Object, Object> weights = redisTemplate.opsForHash().entries("recsys:i:{" + item + "}:co");
            assertThat(weights).as(item).hasSameSizeAs(expected);
            expected.forEach((neighbour, weight) -> assertThat(Double.parseDouble((String) weights.get(neighbour)))
                    .as(item + " with " + neighbour)
                    .isCloseTo(weight, org.assertj.core.data.Offset.offset(1e-9)));
        });
        // "a" wakes up and tries to go on: its lease is gone, so nothing it starts is applied
        append(Event.newBuilder()
                .setEventId("late")
                .setUserId("u0")
                .setItemId("i0")
                .setType(EventType.EVENT_TYPE_PURCHASE)
                .build());
        int partition = partitions.ofUser("u0");
        Map<Integer, List<FeatureWriter.LogEntry>> late =
                Map.of(partition, read(Map.of()).get(partition));
        assertThat(writer.start("a", late, Instant.now().toEpochMilli(), Instant.now()))
                .extracting(FeatureWriter.Started::status)
                .containsExactly(FeatureWriter.Status.NOT_OWNER);
        assertThat(totalPopularity()).isEqualTo(17 * 8 + 33);
    }

    @Test
    void neighbourSetsStayBoundedAndKeepTheStrongest() {
        // 300 shoppers each view their own item, then the same hub item: the hub meets 300 neighbours;
        // "loyal" is paired with the hub by purchases, far more strongly than any other
        for (int i = 0; i < 300; i++) {
            for (String item : List.of("x" + i, "hub")) {
                append(Event.newBuilder()
                        .setEventId("b" + i + item)
                        .setUserId("shopper" + i)
                        .setItemId(item)
                        .setType(EventType.EVENT_TYPE_VIEW)
                        .build());
            }
            append(Event.newBuilder()
                    .setEventId("l" + i)
                    .setUserId("shopper" + i)
                    .setItemId("loyal")
                    .setType(EventType.EVENT_TYPE_PURCHASE)
                    .build());
        }
        // rounds of a few entries each, as the consumer reads them, so the set is cut back more than once
        Map<Integer, String> positions = new LinkedHashMap<>();
        while (true) {
            Map<Integer, List<FeatureWriter.LogEntry>> entries = new LinkedHashMap<>();
            read(positions).forEach((p, list) -> entries.put(p, list.subList(0, Math.min(40, list.size()))));
            if (entries.isEmpty()) {
                break;
            }
            List<FeatureWriter.Round> rounds = start("a", entries);
            writer.finish(rounds, Instant.now());
            rounds.forEach(round -> positions.put(round.partition(), round.id()));
        }

        Long hubNeighbours = redisTemplate.opsForHash().size("recsys:i:{hub}:co");
        assertThat(hubNeighbours).isBetween(50L, 100L);
        assertThat(reader.neighbours(List.of("hub"), 1).getFirst().getNeighborsList())
                .extracting(ScoredItem::getItemId)
                .containsExactly("loyal");
    }

    @Test
    void catalogUpsertsReplaceTheCatalogPartAndKeepTheCounters() {
        append(Item.newBuilder()
                .setItemId("i0")
                .setTitle("Mug")
                .putAttributes("colour", "red")
                .build());
        append(Item.newBuilder().setItemId("i0").setTitle("Big mug").build());
        writer.finish(start("a", read(Map.of())), Instant.now());

        var features = reader.read("", 1, List.of("i0")).items().getFirst();
        assertThat(features.getCatalog().getTitle()).isEqualTo("Big mug");
        assertThat(features.getCatalog().getAttributesMap()).isEmpty();
        assertThat(features.getPopularity().getAllTime()).isPositive();
    }
}
