package io.recsys.features.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.events.v1.Event;
import io.recsys.testsupport.RealRedis;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Replays and races between consumers, against a real Redis, with the background consumer off. */
@SpringBootTest(properties = {"spring.grpc.server.port=0", "server.port=0", "recsys.features.consumer.enabled=false"})
class ExactlyOnceApplyTest {

    private static final String LOG = "recsys:{events}:log";
    private static final String GROUP = "feature-service";

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

    @BeforeEach
    void freshLogAndGroup() {
        redisTemplate
                .getRequiredConnectionFactory()
                .getConnection()
                .serverCommands()
                .flushAll();
        for (int i = 0; i < 50; i++) {
            Event event = Event.newBuilder()
                    .setEventId("e" + i)
                    .setUserId("u" + (i % 5))
                    .setItemId("i" + (i % 7))
                    .setType(i % 3 == 0 ? EventType.EVENT_TYPE_PURCHASE : EventType.EVENT_TYPE_VIEW)
                    .build();
            redisTemplate.opsForStream().add(LOG, EventLogCodec.encode(event, Instant.now()));
        }
        redisTemplate.opsForStream().add(LOG, Map.of("kind", "event", "v", "99"));
        redisTemplate.opsForStream().createGroup(LOG, ReadOffset.from("0"), GROUP);
    }

    private List<FeatureWriter.LogEntry> readAs(String consumer) {
        @SuppressWarnings({"unchecked", "rawtypes"})
        List<MapRecord<String, String, String>> records = (List) redisTemplate
                .opsForStream()
                .read(Consumer.from(GROUP, consumer), StreamOffset.create(LOG, ReadOffset.lastConsumed()));
        List<FeatureWriter.LogEntry> entries = new ArrayList<>();
        for (MapRecord<String, String, String> record : records) {
            entries.add(new FeatureWriter.LogEntry(record.getId().getValue(), EventLogCodec.decode(record.getValue())));
        }
        return entries;
    }

    private Map<Object, Object> itemHash(String item) {
        return redisTemplate.opsForHash().entries("recsys:i:{" + item + "}");
    }

    @Test
    void replayingABatchAppliesNothingTwice() {
        List<FeatureWriter.LogEntry> batch = readAs("a");

        long first = writer.applyAndAcknowledge(LOG, GROUP, batch, Instant.now());
        Map<Object, Object> afterFirst = itemHash("i0");
        long userPurchases =
                Long.parseLong((String) redisTemplate.opsForHash().get("recsys:u:{u0}:profile", "n:purchase"));
        long replay = writer.applyAndAcknowledge(LOG, GROUP, batch, Instant.now());

        assertThat(first).isEqualTo(50);
        assertThat(replay).isZero();
        assertThat(itemHash("i0"))
                .containsEntry("pop", afterFirst.get("pop"))
                .containsEntry("n:view", afterFirst.get("n:view"));
        assertThat(redisTemplate.opsForHash().get("recsys:u:{u0}:profile", "n:purchase"))
                .isEqualTo(Long.toString(userPurchases));
        assertThat(redisTemplate.opsForList().size("recsys:u:{u0}:recent")).isEqualTo(10);
        assertThat(redisTemplate.opsForStream().pending(LOG, GROUP).getTotalPendingMessages())
                .isZero();
    }

    @Test
    void whenTwoConsumersRaceForTheSameEntriesEachIsAppliedOnce() {
        List<FeatureWriter.LogEntry> readBySlowConsumer = readAs("slow");
        // the slow consumer stalls; another claims its entries and applies them first
        redisTemplate
                .opsForStream()
                .claim(
                        LOG,
                        GROUP,
                        "fast",
                        java.time.Duration.ZERO,
                        readBySlowConsumer.stream()
                                .map(e -> org.springframework.data.redis.connection.stream.RecordId.of(e.streamId()))
                                .toArray(org.springframework.data.redis.connection.stream.RecordId[]::new));
        long byFast = writer.applyAndAcknowledge(LOG, GROUP, readBySlowConsumer, Instant.now());
        long bySlow = writer.applyAndAcknowledge(LOG, GROUP, readBySlowConsumer, Instant.now());

        assertThat(byFast).isEqualTo(50);
        assertThat(bySlow).isZero();
        double totalPopularity =
                redisTemplate.opsForZSet().rangeWithScores("recsys:{global}:popular:all", 0, -1).stream()
                        .mapToDouble(t -> t.getScore())
                        .sum();
        // 17 purchases (weight 8) and 33 views (weight 1)
        assertThat(totalPopularity).isEqualTo(17 * 8 + 33);
    }

    @Test
    void neighbourSetsStayBoundedAndKeepTheStrongest() {
        // 300 shoppers each view their own item, then the same hub item: the hub meets 300 neighbours;
        // "loyal" is paired with the hub by purchases, far more strongly than any other
        for (int i = 0; i < 300; i++) {
            for (String item : java.util.List.of("x" + i, "hub")) {
                Event event = Event.newBuilder()
                        .setEventId("b" + i + item)
                        .setUserId("shopper" + i)
                        .setItemId(item)
                        .setType(EventType.EVENT_TYPE_VIEW)
                        .build();
                redisTemplate.opsForStream().add(LOG, EventLogCodec.encode(event, Instant.now()));
            }
            Event loyal = Event.newBuilder()
                    .setEventId("l" + i)
                    .setUserId("shopper" + i)
                    .setItemId("loyal")
                    .setType(EventType.EVENT_TYPE_PURCHASE)
                    .build();
            redisTemplate.opsForStream().add(LOG, EventLogCodec.encode(loyal, Instant.now()));
        }
        writer.applyAndAcknowledge(LOG, GROUP, readAs("a"), Instant.now());

        Long hubNeighbours = redisTemplate.opsForZSet().zCard("recsys:i:{hub}:co");
        assertThat(hubNeighbours).isBetween(50L, 100L);
        assertThat(redisTemplate.opsForZSet().reverseRange("recsys:i:{hub}:co", 0, 0))
                .containsExactly("loyal");
    }

    @Test
    void catalogUpsertsReplaceTheCatalogPartAndKeepTheCounters() {
        writer.applyAndAcknowledge(LOG, GROUP, readAs("a"), Instant.now());
        redisTemplate
                .opsForStream()
                .add(
                        LOG,
                        EventLogCodec.encode(
                                io.recsys.contracts.catalog.v1.Item.newBuilder()
                                        .setItemId("i0")
                                        .setTitle("Mug")
                                        .putAttributes("colour", "red")
                                        .build(),
                                Instant.now()));
        redisTemplate
                .opsForStream()
                .add(
                        LOG,
                        EventLogCodec.encode(
                                io.recsys.contracts.catalog.v1.Item.newBuilder()
                                        .setItemId("i0")
                                        .setTitle("Big mug")
                                        .build(),
                                Instant.now()));
        writer.applyAndAcknowledge(LOG, GROUP, readAs("a"), Instant.now());

        var features = reader.read("", 1, java.util.List.of("i0")).items().getFirst();
        assertThat(features.getCatalog().getTitle()).isEqualTo("Big mug");
        assertThat(features.getCatalog().getAttributesMap()).isEmpty();
        assertThat(features.getPopularity().getAllTime()).isPositive();
    }
}
