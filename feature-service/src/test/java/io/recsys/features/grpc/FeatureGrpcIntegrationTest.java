package io.recsys.features.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.contracts.eventlog.EventLogCodec;
import io.recsys.contracts.eventlog.EventLogPartitions;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.features.v1.FeatureStatus;
import io.recsys.contracts.features.v1.GetChangedItemsRequest;
import io.recsys.contracts.features.v1.GetChangedItemsResponse;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.contracts.features.v1.GetFeaturesResponse;
import io.recsys.contracts.features.v1.GetItemNeighborsRequest;
import io.recsys.contracts.features.v1.GetPopularItemsRequest;
import io.recsys.contracts.features.v1.Interaction;
import io.recsys.contracts.features.v1.ItemFeatures;
import io.recsys.contracts.platform.PlatformDefaults;
import io.recsys.testsupport.RealRedis;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The consumer applies what is in a real Redis Stream; reads go through the real gRPC server. */
@SpringBootTest(
        properties = {
            "spring.grpc.server.port=0",
            "server.port=0",
            "recsys.features.consumer.retry-backoff=200ms",
            "recsys.features.consumer.lease-ttl=1s",
            "recsys.features.consumer.renew-every=200ms"
        })
class FeatureGrpcIntegrationTest {

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    @DynamicPropertySource
    static void redisProperties(DynamicPropertyRegistry registry) {
        redis.registerSpringProperties(registry::add);
    }

    @LocalGrpcServerPort
    int grpcPort;

    @Autowired
    StringRedisTemplate redisTemplate;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    EventLogPartitions partitions;

    private ManagedChannel channel;
    private FeatureServiceGrpc.FeatureServiceBlockingStub features;
    private int eventCounter;

    @BeforeEach
    void connect() {
        // the consumer starts over when the log and its position disappear, as after a Redis data loss
        redisTemplate
                .getRequiredConnectionFactory()
                .getConnection()
                .serverCommands()
                .flushAll();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
        features = FeatureServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private void log(String user, String item, EventType type) {
        Event event = Event.newBuilder()
                .setEventId("e" + ++eventCounter)
                .setUserId(user)
                .setItemId(item)
                .setType(type)
                .setOccurredAt(EventLogCodec.toTimestamp(
                        Instant.parse("2026-11-27T10:00:00Z").plusSeconds(eventCounter)))
                .build();
        append(partitions.ofUser(user), EventLogCodec.encodeEvents(java.util.List.of(event), Instant.now()));
    }

    /** Appends an entry and counts it as logged, as the ingestion-service does. */
    private void append(int partition, java.util.Map<String, String> entry) {
        redisTemplate.opsForStream().add(partitions.streamKey(partition), entry);
        redisTemplate.opsForHash().increment(partitions.stateKey(partition), "appended", 1);
    }

    /** A catalog upsert, as the ingestion-service logs it. */
    private void log(Item item) {
        append(partitions.ofUser(item.getItemId()), EventLogCodec.encode(item, Instant.now()));
    }

    private GetFeaturesResponse read(String user, String... items) {
        return features.getFeatures(GetFeaturesRequest.newBuilder()
                .setUserId(user)
                .addAllItemIds(java.util.List.of(items))
                .build());
    }

    @Test
    void loggedEventsBecomeUserHistoryCountsAndPopularity() {
        log("alice", "mug", EventType.EVENT_TYPE_VIEW);
        log("alice", "tea", EventType.EVENT_TYPE_PURCHASE);
        log("bob", "mug", EventType.EVENT_TYPE_ADD_TO_CART);
        log("carol", "mug", EventType.EVENT_TYPE_VIEW);
        log(Item.newBuilder()
                .setItemId("mug")
                .setTitle("Blue mug")
                .setCategory("kitchen")
                .setAvailable(true)
                .build());

        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(read("alice", "mug").getItems(0).getCatalogStatus())
                        .isEqualTo(FeatureStatus.FEATURE_STATUS_PRESENT));

        GetFeaturesResponse response = read("alice", "mug", "tea", "ghost");
        assertThat(response.getUser().getStatus()).isEqualTo(FeatureStatus.FEATURE_STATUS_PRESENT);
        assertThat(response.getUser().getRecentList())
                .extracting(Interaction::getItemId)
                .containsExactly("tea", "mug");
        assertThat(response.getUser().getEventCountsMap())
                .containsEntry("view", 1L)
                .containsEntry("purchase", 1L);
        assertThat(response.getItemsList()).extracting(i -> i.getItemId()).containsExactly("mug", "tea", "ghost");
        assertThat(response.getItems(0).getPopularity().getAllTime()).isEqualTo(1 + 4 + 1);
        assertThat(response.getItems(0).getCatalog().getTitle()).isEqualTo("Blue mug");
        assertThat(response.getItems(1).getCatalogStatus()).isEqualTo(FeatureStatus.FEATURE_STATUS_NOT_FOUND);
        assertThat(response.getItems(2).getStatus()).isEqualTo(FeatureStatus.FEATURE_STATUS_NOT_FOUND);

        assertThat(features.getPopularItems(
                                GetPopularItemsRequest.newBuilder().setLimit(5).build())
                        .getItemsList())
                .extracting(ScoredItem::getItemId)
                .containsExactly("tea", "mug");
        assertThat(features.getPopularItems(GetPopularItemsRequest.newBuilder()
                                .setLimit(1)
                                .addExcludeItemIds("tea")
                                .build())
                        .getItemsList())
                .extracting(ScoredItem::getItemId)
                .containsExactly("mug");
        for (int p = 0; p < partitions.count(); p++) {
            assertThat(redisTemplate.hasKey(partitions.roundKey(p)))
                    .as("round left of partition " + p)
                    .isFalse();
        }
    }

    @Test
    void theConsumersBacklogIsReportedForOperators() {
        log("alice", "mug", EventType.EVENT_TYPE_VIEW);
        log("bob", "tea", EventType.EVENT_TYPE_VIEW);

        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(meters.get("recsys.feature.log.lag").gauge().value()).isZero();
            assertThat(meters.get("recsys.feature.log.partitions.held").gauge().value())
                    .isEqualTo(partitions.count());
            assertThat(read("bob", "tea").getUser().getRecentCount()).isEqualTo(1);
        });
    }

    @Test
    void itemsSeenByTheSameShoppersBecomeNeighbours() {
        log("alice", "mug", EventType.EVENT_TYPE_VIEW);
        log("alice", "tea", EventType.EVENT_TYPE_PURCHASE);
        log("bob", "mug", EventType.EVENT_TYPE_VIEW);
        log("bob", "lamp", EventType.EVENT_TYPE_VIEW);
        log("bob", "tea", EventType.EVENT_TYPE_VIEW);

        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            var response = features.getItemNeighbors(GetItemNeighborsRequest.newBuilder()
                    .addItemIds("tea")
                    .addItemIds("mug")
                    .addItemIds("ghost")
                    .setLimitPerItem(5)
                    .build());
            // tea: with mug (alice's purchase 8, bob's view 1) and lamp (bob's view 1)
            assertThat(response.getItems(0).getNeighborsList())
                    .extracting(ScoredItem::getItemId, ScoredItem::getScore)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("mug", 9.0),
                            org.assertj.core.groups.Tuple.tuple("lamp", 1.0));
            assertThat(response.getItems(1).getNeighborsList())
                    .extracting(ScoredItem::getItemId)
                    .containsExactly("tea", "lamp");
            assertThat(response.getItems(2).getStatus()).isEqualTo(FeatureStatus.FEATURE_STATUS_NOT_FOUND);
            assertThat(response.getLimitPerItem()).isEqualTo(5);
        });
        // more than the store keeps (neighbours-kept, 50 by default) is clamped and the answer says so
        var generous = features.getItemNeighbors(GetItemNeighborsRequest.newBuilder()
                .addItemIds("tea")
                .setLimitPerItem(10_000)
                .build());
        assertThat(generous.getLimitPerItem()).isEqualTo(PlatformDefaults.NEIGHBOURS_KEPT);
        assertThat(generous.getItems(0).getNeighborsList()).hasSize(2);

        // a recommender gets the neighbours of her most recent distinct items with her profile, in one call
        GetFeaturesResponse withSeeds = features.getFeatures(GetFeaturesRequest.newBuilder()
                .setUserId("bob")
                .setNeighbourSeeds(2)
                .setNeighboursPerSeed(1)
                .build());
        assertThat(withSeeds.getUser().getRecentList())
                .extracting(Interaction::getItemId)
                .containsExactly("tea", "lamp", "mug");
        assertThat(withSeeds.getSeedNeighborsList())
                .extracting(n -> n.getItemId() + ">" + n.getNeighbors(0).getItemId())
                .containsExactly("tea>mug", "lamp>tea");
        assertThat(read("bob").getSeedNeighborsList()).as("only when asked").isEmpty();
    }

    @Test
    void theChangeFeedNamesEveryItemAnEventOrAnUpsertTouchedOnceAndThenOnlyNewChanges() {
        log("alice", "mug", EventType.EVENT_TYPE_VIEW);
        log("bob", "tea", EventType.EVENT_TYPE_PURCHASE);
        log("bob", "lamp", EventType.EVENT_TYPE_VIEW);
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(changedSince(0, 0).getItemsList())
                        .extracting(ItemFeatures::getItemId)
                        .containsExactlyInAnyOrder("mug", "tea", "lamp"));

        // small pages: all three come, each once, and each page ends with a whole millisecond
        java.util.List<String> paged = new java.util.ArrayList<>();
        long since = 0;
        GetChangedItemsResponse page;
        do {
            page = changedSince(since, 1);
            page.getItemsList().forEach(item -> paged.add(item.getItemId()));
            since = page.getNextSinceMillis();
        } while (page.getMore());
        assertThat(paged).containsExactlyInAnyOrder("mug", "tea", "lamp");
        GetChangedItemsResponse all = changedSince(0, 0);
        assertThat(all.getItemsList())
                .filteredOn(item -> item.getItemId().equals("tea"))
                .singleElement()
                .satisfies(tea -> assertThat(tea.getPopularity().getAllTime()).isEqualTo(8.0));
        assertThat(changedSince(since, 0).getItemsList()).isEmpty();

        // a later change, an event or a catalog upsert, is in the feed from where the last read ended
        long from = since;
        log(Item.newBuilder().setItemId("lamp").setAvailable(false).build());
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(changedSince(from, 0).getItemsList())
                        .singleElement()
                        .satisfies(lamp -> {
                            assertThat(lamp.getItemId()).isEqualTo("lamp");
                            assertThat(lamp.getCatalog().getAvailable()).isFalse();
                        }));
        assertThat(changedSince(-1, 0)).isNull();
    }

    private GetChangedItemsResponse changedSince(long sinceMillis, int limit) {
        try {
            return features.getChangedItems(GetChangedItemsRequest.newBuilder()
                    .setChangedSinceMillis(sinceMillis)
                    .setLimit(limit)
                    .build());
        } catch (io.grpc.StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("changed_since_millis");
            return null;
        }
    }

    @Test
    void anUnknownUserIsNotFoundRatherThanAnError() {
        GetFeaturesResponse response = read("nobody-" + System.nanoTime());

        assertThat(response.getUser().getStatus()).isEqualTo(FeatureStatus.FEATURE_STATUS_NOT_FOUND);
        assertThat(response.getUser().getRecentCount()).isZero();
    }

    @Test
    void malformedReadsAreInvalidArgumentsNamingTheField() {
        assertThatThrownBy(() -> read("bad user", "ok", "")).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(GrpcErrors.fieldViolations(e))
                    .extracting(v -> v.getField())
                    .containsExactly("user_id", "item_ids[1]");
        });
        assertThatThrownBy(() -> features.getPopularItems(
                        GetPopularItemsRequest.newBuilder().setLimit(0).build()))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(GrpcErrors.fieldViolations(e))
                                .extracting(v -> v.getField())
                                .containsExactly("limit"));
    }

    @Test
    void anIdleConsumerSlowsItsPollingDown() {
        log("erin", "kettle", EventType.EVENT_TYPE_VIEW);
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() ->
                        assertThat(read("erin").getUser().getRecentCount()).isEqualTo(1));

        // an idle round reads every partition once, then pauses twice as long as the last time, up to max-idle-pause
        // (100 ms): once slowed down, six rounds take at least 500 ms however busy the machine is, where a
        // spinning loop makes thousands
        long warm = streamReads();
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> streamReads() - warm >= 10L * partitions.count());
        long before = streamReads();
        long started = System.nanoTime();
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> streamReads() - before >= 6L * partitions.count());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    private long streamReads() {
        java.util.Properties stats = redisTemplate
                .getRequiredConnectionFactory()
                .getConnection()
                .serverCommands()
                .info("commandstats");
        String calls = stats.getProperty("cmdstat_xrange", "calls=0,").split(",")[0];
        return Long.parseLong(calls.substring("calls=".length()));
    }

    @Test
    void theConsumerOutlivesARedisOutage() {
        redis.stop();
        try {
            assertThatThrownBy(() -> read("alice"))
                    .isInstanceOfSatisfying(
                            StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        } finally {
            redis.restart();
        }
        Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            log("dave", "lamp", EventType.EVENT_TYPE_CLICK);
            assertThat(read("dave").getUser().getRecentList())
                    .extracting(Interaction::getItemId)
                    .contains("lamp");
        });
    }
}
