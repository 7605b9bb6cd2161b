package io.recsys.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.recsys.contracts.common.v1.EventType;
import io.recsys.contracts.eventlog.EventTypeNames;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventOutcome;
import io.recsys.contracts.events.v1.EventResult;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.contracts.features.v1.GetFeaturesResponse;
import io.recsys.localredis.LocalRedisCluster;
import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A feature-service killed with SIGKILL in the middle of a large backlog, and another one taking over: afterwards every
 * counter equals what the event log says. Nothing lost, nothing doubled.
 */
class FeatureStoreCrashIT {

    private static final int USERS = 300;
    private static final int ITEMS = 150;
    private static final int EVENTS = 40_000;
    private static final Map<EventType, Double> WEIGHTS = Map.of(
            EventType.EVENT_TYPE_VIEW,
            1.0,
            EventType.EVENT_TYPE_CLICK,
            2.0,
            EventType.EVENT_TYPE_ADD_TO_CART,
            4.0,
            EventType.EVENT_TYPE_PURCHASE,
            8.0);

    private final List<ServiceProcess> processes = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private AutoCloseable redis;

    @AfterEach
    void stopEverything() throws Exception {
        channels.forEach(ManagedChannel::shutdownNow);
        processes.forEach(ServiceProcess::stop);
        if (redis != null) {
            redis.close();
        }
    }

    /** One Redis, or a Redis Cluster of three masters started from the same binary; the same services run on both. */
    @ParameterizedTest(name = "on {0}")
    @ValueSource(strings = {"a single Redis", "a Redis Cluster"})
    void aConsumerKilledMidBacklogLosesAndDoublesNothing(String store) throws Exception {
        Path root = StackConfig.findRoot(Path.of(""));
        Path workDir = root.resolve("local-stack/target/crash-test");
        List<String> redisArgs;
        if (store.endsWith("Cluster")) {
            LocalRedisCluster cluster =
                    LocalRedisCluster.start(RedisBinary.locate(), 3, 0, LocalRedisServer.Persistence.NONE);
            redis = cluster;
            redisArgs = List.of("--spring.data.redis.cluster.nodes=" + cluster.nodes());
        } else {
            LocalRedisServer single = LocalRedisServer.start(RedisBinary.locate(), 0);
            redis = single;
            redisArgs = List.of("--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + single.port());
        }
        ServiceSpec ingestionSpec = new ServiceSpec(
                "ingestion-service", LocalRedisServer.freePort(), LocalRedisServer.freePort(), redisArgs);
        ServiceProcess ingestion = launch(ingestionSpec, root, workDir);

        // the backlog, and the truth it implies
        List<Event> events = events();
        Truth truth = Truth.of(events);
        IngestionServiceGrpc.IngestionServiceBlockingStub ingest =
                IngestionServiceGrpc.newBlockingStub(channel(ingestion));
        for (int from = 0; from < events.size(); from += 1000) {
            assertThat(ingest.withDeadlineAfter(30, TimeUnit.SECONDS)
                            .ingestEvents(IngestEventsRequest.newBuilder()
                                    .addAllEvents(events.subList(from, from + 1000))
                                    .build())
                            .getAccepted())
                    .isEqualTo(1000);
        }

        ServiceProcess doomed = launch(featureSpec("crash-a", redisArgs), root, workDir);
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> applied(doomed) >= 4_000);
        doomed.kill();
        assertThat(doomed.handle().isAlive()).isFalse();

        ServiceProcess survivor = launch(featureSpec("crash-b", redisArgs), root, workDir);
        FeatureServiceGrpc.FeatureServiceBlockingStub features = FeatureServiceGrpc.newBlockingStub(channel(survivor));
        Awaitility.await()
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertFeaturesMatch(features, truth));
        assertThat(applied(survivor))
                .as("the survivor applied the rest, including what the dead one held")
                .isPositive();
        assertStaysExact(survivor, features, truth);
    }

    /**
     * A Redis master SIGKILLed in the middle of ingestion and of the consumer's backlog, its replica promoted (cluster
     * of three masters with a replica each, no persistence: only replication keeps the data), with
     * {@code recsys.redis.replica-acks=1} on both services. The replica is first frozen and cut off from its master, so
     * that the master dies holding writes the replica lacks. The client retries each refused batch until it is
     * answered, so every event is logged exactly once (a retried event already logged is a duplicate); afterwards every
     * counter equals the events sent.
     */
    @Test
    void aMasterFailingOverMidIngestionLosesAndDoublesNothing() throws Exception {
        Path root = StackConfig.findRoot(Path.of(""));
        // a class-data archive of its own: one written by the crash test's processes once failed this start with
        // NoClassDefFoundError (a CI run of 2026-12-03)
        Path workDir = root.resolve("local-stack/target/crash-test-failover");
        LocalRedisCluster cluster =
                LocalRedisCluster.start(RedisBinary.locate(), 3, 1, LocalRedisServer.Persistence.NONE);
        redis = cluster;
        List<String> redisArgs =
                List.of("--spring.data.redis.cluster.nodes=" + cluster.nodes(), "--recsys.redis.replica-acks=1");
        ServiceProcess ingestion = launch(
                new ServiceSpec(
                        "ingestion-service", LocalRedisServer.freePort(), LocalRedisServer.freePort(), redisArgs),
                root,
                workDir);
        ServiceProcess consumer = launch(featureSpec("failover-a", redisArgs), root, workDir);

        List<Event> events = events();
        IngestionServiceGrpc.IngestionServiceBlockingStub ingest =
                IngestionServiceGrpc.newBlockingStub(channel(ingestion));
        AtomicInteger batchesAnswered = new AtomicInteger();
        AtomicInteger callsRefused = new AtomicInteger();
        AtomicReference<Throwable> ingestFailure = new AtomicReference<>();
        Thread client = Thread.ofPlatform().start(() -> {
            try {
                for (int from = 0; from < events.size(); from += 500) {
                    IngestEventsRequest batch = IngestEventsRequest.newBuilder()
                            .addAllEvents(events.subList(from, from + 500))
                            .build();
                    while (true) {
                        try {
                            IngestEventsResponse response = ingest.withDeadlineAfter(30, TimeUnit.SECONDS)
                                    .ingestEvents(batch);
                            long rejected = response.getResultsList().stream()
                                    .map(EventResult::getOutcome)
                                    .filter(outcome -> outcome != EventOutcome.EVENT_OUTCOME_ACCEPTED
                                            && outcome != EventOutcome.EVENT_OUTCOME_DUPLICATE)
                                    .count();
                            assertThat(rejected)
                                    .as("events neither accepted nor duplicates")
                                    .isZero();
                            break;
                        } catch (StatusRuntimeException refused) {
                            callsRefused.incrementAndGet();
                            Thread.sleep(100); // the caller's back-off between retries, not a wait in the test
                        }
                    }
                    batchesAnswered.incrementAndGet();
                }
            } catch (Throwable e) {
                ingestFailure.set(e);
            }
        });

        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    assertThat(ingestFailure.get()).isNull();
                    return batchesAnswered.get() >= 30 && applied(consumer) >= 2_000;
                });
        LocalRedisServer master = cluster.masters().getFirst();
        cluster.crashMasterAheadOfItsReplicas(master, () -> {
            int refusedBefore = callsRefused.get();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> callsRefused.get() >= refusedBefore + 2);
        });
        cluster.awaitFailoverOf(master);
        master.restart();
        cluster.awaitReplicasLinked();
        client.join(Duration.ofMinutes(3));
        assertThat(client.isAlive()).as("the client got every batch answered").isFalse();
        assertThat(ingestFailure.get()).isNull();
        assertThat(callsRefused.get()).as("the outage was seen").isPositive();

        Truth truth = Truth.of(events);
        FeatureServiceGrpc.FeatureServiceBlockingStub features = FeatureServiceGrpc.newBlockingStub(channel(consumer));
        Awaitility.await()
                .atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsInstanceOf(StatusRuntimeException.class)
                .untilAsserted(() -> assertFeaturesMatch(features, truth));
        assertStaysExact(consumer, features, truth);
    }

    /** What the events imply: each user's counts by type, each item's all-time popularity. */
    private record Truth(Map<String, Map<String, Long>> countsByUser, Map<String, Double> popularityByItem) {

        static Truth of(List<Event> events) {
            Truth truth = new Truth(new HashMap<>(), new HashMap<>());
            for (Event event : events) {
                truth.countsByUser
                        .computeIfAbsent(event.getUserId(), u -> new HashMap<>())
                        .merge(EventTypeNames.nameOf(event.getType()), 1L, Long::sum);
                truth.popularityByItem.merge(event.getItemId(), WEIGHTS.get(event.getType()), Double::sum);
            }
            return truth;
        }
    }

    /** Once everything logged is applied, the features still match: nothing was applied twice. */
    private static void assertStaysExact(
            ServiceProcess consumer, FeatureServiceGrpc.FeatureServiceBlockingStub features, Truth truth) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> gauge(consumer, "recsys_feature_log_lag") == 0);
        assertFeaturesMatch(features, truth);
    }

    private static void assertFeaturesMatch(FeatureServiceGrpc.FeatureServiceBlockingStub features, Truth truth) {
        for (var user : truth.countsByUser().entrySet()) {
            GetFeaturesResponse response = features.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getFeatures(GetFeaturesRequest.newBuilder()
                            .setUserId(user.getKey())
                            .setRecentLimit(1)
                            .build());
            assertThat(response.getUser().getEventCountsMap()).as(user.getKey()).isEqualTo(user.getValue());
        }
        GetFeaturesResponse items = features.withDeadlineAfter(5, TimeUnit.SECONDS)
                .getFeatures(GetFeaturesRequest.newBuilder()
                        .addAllItemIds(truth.popularityByItem().keySet())
                        .build());
        for (var item : items.getItemsList()) {
            assertThat(item.getPopularity().getAllTime())
                    .as(item.getItemId())
                    .isEqualTo(truth.popularityByItem().get(item.getItemId()));
        }
    }

    private static List<Event> events() {
        SplittableRandom random = new SplittableRandom(5);
        EventType[] types = {
            EventType.EVENT_TYPE_VIEW,
            EventType.EVENT_TYPE_CLICK,
            EventType.EVENT_TYPE_ADD_TO_CART,
            EventType.EVENT_TYPE_PURCHASE
        };
        List<Event> events = new ArrayList<>(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            events.add(Event.newBuilder()
                    .setEventId("crash-" + i)
                    .setUserId("u" + random.nextInt(USERS))
                    .setItemId("i" + random.nextInt(ITEMS))
                    .setType(types[random.nextInt(types.length)])
                    .build());
        }
        return events;
    }

    private static ServiceSpec featureSpec(String consumerName, List<String> redisArgs) throws IOException {
        List<String> args = new ArrayList<>(redisArgs);
        args.add("--recsys.features.consumer.consumer-name=" + consumerName);
        // small rounds, so that the crash falls between many of them; quick takeover of what the dead one held
        args.add("--recsys.features.consumer.entries-per-round=1");
        args.add("--recsys.features.consumer.lease-ttl=1s");
        args.add("--recsys.features.consumer.renew-every=200ms");
        return new ServiceSpec("feature-service", LocalRedisServer.freePort(), LocalRedisServer.freePort(), args);
    }

    private ServiceProcess launch(ServiceSpec spec, Path root, Path workDir) throws IOException, InterruptedException {
        ServiceProcess process = ServiceProcess.launch(spec, root, workDir, StackConfig.DEFAULT_SERVICE_JVM);
        processes.add(process);
        process.awaitReady(Duration.ofMinutes(2), HttpClient.newHttpClient());
        return process;
    }

    private ManagedChannel channel(ServiceProcess process) {
        ManagedChannel channel = ManagedChannelBuilder.forAddress(
                        "127.0.0.1", process.spec().grpcPort())
                .usePlaintext()
                .build();
        channels.add(channel);
        return channel;
    }

    private static double applied(ServiceProcess featureService) throws IOException, InterruptedException {
        return metrics(featureService)
                .filter(l -> l.startsWith("recsys_feature_log_applied_total{") && l.contains("kind=\"event\""))
                .mapToDouble(FeatureStoreCrashIT::sampleValue)
                .sum();
    }

    /** The value of an untagged gauge, or NaN before it is registered. */
    private static double gauge(ServiceProcess featureService, String name) throws IOException, InterruptedException {
        return metrics(featureService)
                .filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(FeatureStoreCrashIT::sampleValue)
                .findFirst()
                .orElse(Double.NaN);
    }

    /** The value of one line of the Prometheus text format. */
    private static double sampleValue(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    private static Stream<String> metrics(ServiceProcess featureService) throws IOException, InterruptedException {
        String body = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                        + featureService.spec().managementPort() + "/actuator/prometheus"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return body.lines();
    }
}
