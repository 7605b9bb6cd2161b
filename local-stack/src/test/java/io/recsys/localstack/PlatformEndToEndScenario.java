package io.recsys.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.recsys.localredis.LocalRedisServer;
import io.recsys.localstack.demo.DemoDataSpec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The platform as a user meets it: every service in its own JVM, real gRPC between them, a real Redis, seeded demo
 * data, and only the gateway's public JSON API from the outside. Run on a single Redis ({@link PlatformEndToEndIT}) and
 * on a Redis Cluster ({@link ClusterPlatformEndToEndIT}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PlatformEndToEndScenario {

    private static final JsonMapper json = JsonMapper.builder().build();
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    LocalStack stack;
    private final List<ProcessHandle> started = new ArrayList<>();

    /** The Redis the stack starts. */
    abstract StackRedis redis();

    /** Makes all of the stack's Redis unreachable, as an outage would. */
    abstract void redisDown() throws Exception;

    /** Brings it back at the same addresses, without its data. */
    abstract void redisUp() throws Exception;

    @BeforeAll
    void startPlatform() throws Exception {
        Path root = StackConfig.findRoot(Path.of(""));
        // These tests check what each level does through the real chain, not what the machine affords: a latency
        // target and deadline no loaded CI machine misses keep the depth controller from shedding the machine's own
        // slowness here. Shedding is tested in DepthControllerTest and measured by ./recsys bench recommendations.
        List<String> jvm = new ArrayList<>(StackConfig.DEFAULT_SERVICE_JVM);
        jvm.add("-Drecsys.recommendation.depth.target-latency=5s");
        jvm.add("-Drecsys.recommendation.feature-timeout=5s");
        jvm.add("-Drecsys.recommendation.inference-timeout=5s");
        jvm.add("-Dresilience4j.circuitbreaker.configs.dependency.slow-call-duration-threshold=5s");
        jvm.add("-Drecsys.gateway.recommend-deadline=10s");
        StackConfig config = new StackConfig(
                root,
                StackPorts.free(),
                redis(),
                Optional.of(new DemoDataSpec(7, 120, 300, 10, 30)),
                root.resolve("local-stack/target/e2e-" + getClass().getSimpleName()),
                jvm,
                StackConfig.ALL_SERVICES);
        stack = LocalStack.start(config, System.out::println);
        stack.services().forEach(s -> started.add(s.handle()));
    }

    @AfterAll
    void stopPlatform() {
        if (stack != null) {
            stack.close();
            assertThat(started).as("no service process is left behind").noneMatch(ProcessHandle::isAlive);
            stack.redis()
                    .ifPresent(redis -> assertThat(redis.isRunning())
                            .as("redis-server stopped")
                            .isFalse());
            stack.redisCluster()
                    .ifPresent(cluster -> assertThat(cluster.masters())
                            .as("the cluster's redis-servers stopped")
                            .noneMatch(LocalRedisServer::isRunning));
        }
    }

    @Test
    @Order(1)
    void aDemoShopperGetsTenScoredItemsWithSourceAndDepth() throws Exception {
        String shopper = stack.demoData().orElseThrow().events().getFirst().getUserId();

        // on a busy machine the service may be running below full depth for a moment; it must come back to it
        HttpResponse<String> response = Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> get("/api/v1/users/" + shopper + "/recommendations?limit=10"),
                        r -> r.headers()
                                .firstValue("X-Prediction-Depth")
                                .filter("full"::equals)
                                .isPresent());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("items")).hasSize(10);
        for (JsonNode item : body.get("items")) {
            assertThat(item.get("item_id").asString()).startsWith("sku-");
            assertThat(item.get("score").asDouble()).isBetween(0.0, 1.0);
            assertThat(item.get("sources")).isNotEmpty();
        }
        // ranked by the committed demo bundle through the inference-service, candidates from several sources
        assertThat(body.get("depth").asString()).as(body.toString()).isEqualTo("full");
        assertThat(body.get("model_version").asString()).startsWith("2026");
        assertThat(body.get("items")
                        .valueStream()
                        .flatMap(i -> i.get("sources").valueStream())
                        .map(JsonNode::asString)
                        .distinct())
                .contains("embedding");
        assertThat(body.get("depth_reasons"))
                .as(body.get("depth_detail").asString())
                .isEmpty();
        assertThat(body.get("cold_start").asBoolean()).isFalse();
    }

    @Test
    @Order(2)
    void eventsPostedForAShopperChangeHerAnswer() throws Exception {
        String shopper = "e2e-shopper-" + System.nanoTime();
        JsonNode before = json.readTree(
                get("/api/v1/users/" + shopper + "/recommendations?limit=5").body());
        assertThat(before.get("cold_start").asBoolean()).isTrue();
        String first = before.get("items").get(0).get("item_id").asString();
        String second = before.get("items").get(1).get("item_id").asString();

        HttpResponse<String> posted = post("/api/v1/events", """
                [{"event_id":"%1$s-1","user_id":"%1$s","item_id":"%2$s","type":"click"},
                 {"event_id":"%1$s-2","user_id":"%1$s","item_id":"%3$s","type":"purchase","quantity":1}]
                """.formatted(shopper, first, second));
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(json.readTree(posted.body()).get("accepted").asInt()).isEqualTo(2);

        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    JsonNode after = json.readTree(get("/api/v1/users/" + shopper + "/recommendations?limit=5")
                            .body());
                    assertThat(after.get("cold_start").asBoolean()).isFalse();
                    assertThat(after.get("items")
                                    .valueStream()
                                    .map(i -> i.get("item_id").asString()))
                            .hasSize(5)
                            .doesNotContain(first, second);
                });
        // the caller's exclusions are honoured too
        JsonNode current = json.readTree(
                get("/api/v1/users/" + shopper + "/recommendations?limit=5").body());
        String top = current.get("items").get(0).get("item_id").asString();
        JsonNode excluded = json.readTree(get("/api/v1/users/" + shopper + "/recommendations?limit=5&exclude=" + top)
                .body());
        assertThat(excluded.get("items").valueStream().map(i -> i.get("item_id").asString()))
                .hasSize(5)
                .doesNotContain(top, first, second);
    }

    @Test
    @Order(3)
    void aSurgeOfPurchasesLiftsANewItemToTheTop() throws Exception {
        String item = "sku-e2e-" + System.nanoTime();
        assertThat(put(
                                "/api/v1/catalog/items",
                                "[{\"item_id\":\"" + item + "\",\"title\":\"Surge Lamp\",\"category\":\"lighting\"}]")
                        .statusCode())
                .isEqualTo(200);
        StringBuilder surge = new StringBuilder("[");
        for (int i = 0; i < 500; i++) {
            surge.append(i == 0 ? "" : ",")
                    .append(("{\"event_id\":\"surge-%s-%d\",\"user_id\":\"fan-%d\",\"item_id\":\"%s\","
                                    + "\"type\":\"purchase\"}")
                            .formatted(item, i, i, item));
        }
        HttpResponse<String> posted = post("/api/v1/events", surge.append(']').toString());
        assertThat(json.readTree(posted.body()).get("accepted").asInt()).isEqualTo(500);

        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(json.readTree(get("/api/v1/users/newcomer/recommendations?limit=3")
                                        .body())
                                .get("items")
                                .get(0)
                                .get("item_id")
                                .asString())
                        .isEqualTo(item));
        // posting the same events again changes nothing: they are duplicates
        assertThat(json.readTree(post("/api/v1/events", surge.toString()).body())
                        .get("duplicates")
                        .asInt())
                .isEqualTo(500);
    }

    @Test
    @Order(4)
    void badInputIsA400NamingTheFieldWhicheverServiceJudgesIt() throws Exception {
        assertViolation(get("/api/v1/users/alice/recommendations?limit=201"), "limit");
        assertViolation(get("/api/v1/users/alice/recommendations?limit=many"), "limit");
        assertViolation(get("/api/v1/users/bad%7Bid%7D/recommendations"), "user_id");
        HttpResponse<String> unknownType = post(
                "/api/v1/events", "[{\"event_id\":\"x1\",\"user_id\":\"u\",\"item_id\":\"i\",\"type\":\"teleport\"}]");
        assertThat(unknownType.statusCode()).isEqualTo(400);
        assertThat(json.readTree(unknownType.body())
                        .get("results")
                        .get(0)
                        .get("violations")
                        .get(0)
                        .get("field")
                        .asString())
                .isEqualTo("events[0].type");
        HttpResponse<String> noUser =
                post("/api/v1/events", "[{\"event_id\":\"x2\",\"item_id\":\"i\",\"type\":\"view\"}]");
        assertThat(noUser.statusCode()).isEqualTo(400);
        assertThat(json.readTree(noUser.body())
                        .get("results")
                        .get(0)
                        .get("violations")
                        .get(0)
                        .get("field")
                        .asString())
                .isEqualTo("events[0].user_id");
        assertViolation(post("/api/v1/events", "[{\"event_id\":"), "events");
    }

    @Test
    @Order(5)
    void everyServiceAnswersTheStandardGrpcHealthCheck() throws Exception {
        for (ServiceProcess service : stack.services()) {
            ManagedChannel channel = ManagedChannelBuilder.forAddress(
                            "127.0.0.1", service.spec().grpcPort())
                    .usePlaintext()
                    .build();
            try {
                HealthCheckResponse health = HealthGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance());
                assertThat(health.getStatus())
                        .as(service.spec().module())
                        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Order(6)
    void aRedisOutageDegradesToTheCachedListIngestionSays503AndThePlatformRecovers() throws Exception {
        redisDown();
        try {
            HttpResponse<String> during = get("/api/v1/users/alice/recommendations");
            assertThat(during.statusCode()).as(during.body()).isEqualTo(200);
            JsonNode degraded = json.readTree(during.body());
            assertThat(degraded.get("depth").asString()).isEqualTo("fallback");
            assertThat(degraded.get("items")).isNotEmpty();
            assertThat(degraded.get("items").get(0).get("sources").get(0).asString())
                    .isEqualTo("cached_fallback");
            HttpResponse<String> ingest = post(
                    "/api/v1/events",
                    "[{\"event_id\":\"during-outage\",\"user_id\":\"u1\",\"item_id\":\"sku-00001\","
                            + "\"type\":\"view\"}]");
            assertThat(ingest.statusCode()).isEqualTo(503);
            assertThat(ingest.headers().firstValue("Retry-After")).isPresent();
        } finally {
            redisUp();
        }
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(post(
                                        "/api/v1/events",
                                        "[{\"event_id\":\"after-outage\",\"user_id\":\"u1\","
                                                + "\"item_id\":\"sku-00001\",\"type\":\"view\"}]")
                                .statusCode())
                        .isEqualTo(200));
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    JsonNode body = json.readTree(
                            get("/api/v1/users/u1/recommendations?limit=3").body());
                    assertThat(body.get("depth").asString()).isNotEqualTo("fallback");
                    assertThat(body.get("cold_start").asBoolean())
                            .isFalse(); // the event after the outage reached her features
                    assertThat(body.get("items")
                                    .valueStream()
                                    .map(i -> i.get("item_id").asString()))
                            .doesNotContain("sku-00001");
                });
    }

    @Test
    @Order(7)
    void everyMetricAndLabelTheAlertsAndDashboardsQueryIsExported() throws Exception {
        // after the requests, events and outage above, every service has served, failed over and recovered
        Map<String, Set<String>> exported = new HashMap<>();
        for (ServiceProcess service : stack.services()) {
            HttpResponse<String> scrape = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + service.spec().managementPort() + "/actuator/prometheus"))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).as(service.spec().module()).isEqualTo(200);
            MonitoringQueries.exported(scrape.body())
                    .forEach((metric, labels) -> exported.computeIfAbsent(metric, m -> new HashSet<>())
                            .addAll(labels));
        }
        List<MonitoringQueries.Query> queries = MonitoringQueries.shipped(StackConfig.findRoot(Path.of("")));

        assertThat(queries).hasSizeGreaterThan(40);
        assertThat(queries.stream().flatMap(q -> MonitoringQueries.missing(q, exported).stream()))
                .isEmpty();
    }

    private static void assertViolation(HttpResponse<String> response, String field) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json.readTree(response.body())
                        .get("violations")
                        .get(0)
                        .get("field")
                        .asString())
                .isEqualTo(field);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> put(String path, String body) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(uri(path))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create(stack.gatewayUrl() + path);
    }
}
