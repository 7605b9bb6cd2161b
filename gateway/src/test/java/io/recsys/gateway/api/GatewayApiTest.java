package io.recsys.gateway.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.catalog.v1.Item;
import io.recsys.contracts.errors.FieldViolations;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.EventOutcome;
import io.recsys.contracts.events.v1.EventResult;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.events.v1.ItemOutcome;
import io.recsys.contracts.events.v1.ItemResult;
import io.recsys.contracts.events.v1.UpsertItemsRequest;
import io.recsys.contracts.events.v1.UpsertItemsResponse;
import io.recsys.contracts.recommend.v1.CandidateSource;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.contracts.recommend.v1.RecommendedItem;
import io.recsys.testsupport.RealRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The public JSON API over HTTP, in front of stand-in backends reached over real gRPC sockets. The stand-ins judge
 * requests the way the real services do for the cases used here.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.grpc.server.port=0", "recsys.gateway.max-batch-size=3"})
class GatewayApiTest {

    private static final AtomicReference<RecommendRequest> lastRecommend = new AtomicReference<>();
    private static final AtomicReference<Status> backendFailure = new AtomicReference<>();
    private static final Server backends = start();

    /** The rate limiter's buckets. */
    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    @DynamicPropertySource
    static void backendAddresses(DynamicPropertyRegistry registry) {
        redis.registerSpringProperties(registry::add);
        registry.add(
                "spring.grpc.client.channel.recommendation-service.target",
                () -> "static://127.0.0.1:" + backends.getPort());
        registry.add(
                "spring.grpc.client.channel.ingestion-service.target",
                () -> "static://127.0.0.1:" + backends.getPort());
    }

    @AfterAll
    static void stop() {
        backends.shutdownNow();
    }

    @LocalServerPort
    int port;

    @LocalGrpcServerPort
    int grpcPort;

    private WebTestClient http;

    @BeforeEach
    void client() {
        backendFailure.set(null);
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
    }

    @Test
    void recommendationsComeBackAsSnakeCaseJsonWithTheirDepth() {
        http.get()
                .uri("/api/v1/users/alice/recommendations?limit=2&exclude=x1, x2&max_depth=reduced")
                .exchange()
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("X-Prediction-Depth", "full")
                // tracing is off unless recsys.tracing.enabled: no trace to name
                .expectHeader()
                .doesNotExist("X-Trace-Id")
                .expectBody()
                .jsonPath("$.user_id")
                .isEqualTo("alice")
                .jsonPath("$.items.length()")
                .isEqualTo(2)
                .jsonPath("$.items[0].item_id")
                .isEqualTo("top-1")
                .jsonPath("$.items[0].score")
                .isEqualTo(9.5)
                .jsonPath("$.items[0].sources[0]")
                .isEqualTo("popularity")
                .jsonPath("$.model_version")
                .isEqualTo("popularity")
                .jsonPath("$.depth")
                .isEqualTo("full")
                .jsonPath("$.cold_start")
                .isEqualTo(false);

        RecommendRequest sent = lastRecommend.get();
        assertThat(sent.getLimit()).isEqualTo(2);
        assertThat(sent.getExcludeItemIdsList()).containsExactly("x1", "x2");
        assertThat(sent.getMaxDepth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_REDUCED);
    }

    @Test
    void badQueryValuesAre400sNamingTheField() {
        expectViolation(
                http.get().uri("/api/v1/users/alice/recommendations?limit=ten").exchange(), "limit");
        expectViolation(
                http.get().uri("/api/v1/users/alice/recommendations?limit=0").exchange(), "limit");
        expectViolation(
                http.get()
                        .uri("/api/v1/users/alice/recommendations?max_depth=deepest")
                        .exchange(),
                "max_depth");
        expectViolation(
                http.get()
                        .uri(java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/users//recommendations"))
                        .exchange(),
                "user_id");
        // bounds the backend enforces come back with its field violations
        expectViolation(
                http.get().uri("/api/v1/users/alice/recommendations?limit=500").exchange(), "limit");
        expectViolation(
                http.get()
                        .uri(java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/users/%20/recommendations"))
                        .exchange(),
                "user_id");
        expectViolation(
                http.get()
                        .uri("/api/v1/users/alice/recommendations")
                        .header("X-Request-Deadline-Ms", "soon")
                        .exchange(),
                "X-Request-Deadline-Ms");
    }

    @Test
    void anUnavailableBackendIsA503WithRetryAfter() {
        backendFailure.set(Status.UNAVAILABLE.withDescription("store unavailable, retry later"));

        http.get()
                .uri("/api/v1/users/alice/recommendations")
                .exchange()
                .expectStatus()
                .isEqualTo(503)
                .expectHeader()
                .valueEquals("Retry-After", "2")
                .expectBody()
                .jsonPath("$.error")
                .isEqualTo("unavailable");
    }

    @Test
    void aBackendSlowerThanTheCallersDeadlineIsA504() {
        http.get()
                .uri("/api/v1/users/slowpoke/recommendations")
                .header("X-Request-Deadline-Ms", "100")
                .exchange()
                .expectStatus()
                .isEqualTo(504)
                .expectBody()
                .jsonPath("$.error")
                .isEqualTo("deadline_exceeded");
    }

    @Test
    void eventsAreJudgedOneByOneAndViolationPathsPointAtTheCallersPositions() {
        String body = """
                [{"event_id":"e1","user_id":"u1","item_id":"i1","type":"teleport"},
                 {"event_id":"e2","user_id":"","item_id":"i1","type":"view"},
                 {"event_id":"e3","user_id":"u1","item_id":"i1","type":"purchase","quantity":2,
                  "occurred_at":"2026-11-27T10:00:00Z","context":{"session_id":"s1","device":"mobile"}}]""";

        http.post()
                .uri("/api/v1/events")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.accepted")
                .isEqualTo(1)
                .jsonPath("$.rejected")
                .isEqualTo(2)
                .jsonPath("$.results[0].outcome")
                .isEqualTo("rejected")
                .jsonPath("$.results[0].violations[0].field")
                .isEqualTo("events[0].type")
                .jsonPath("$.results[1].violations[0].field")
                .isEqualTo("events[1].user_id")
                .jsonPath("$.results[2].outcome")
                .isEqualTo("accepted")
                .jsonPath("$.results[2].event_id")
                .isEqualTo("e3");
    }

    @Test
    void aBatchWithNothingAcceptableIsA400() {
        http.post()
                .uri("/api/v1/events")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("[{\"event_id\":\"e1\",\"user_id\":\"u1\",\"item_id\":\"i1\",\"type\":\"teleport\"}]")
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.results[0].violations[0].description")
                .value(d -> assertThat((String) d).startsWith("unknown event type 'teleport'"));
    }

    @Test
    void malformedOrOversizeBodiesAre400s() {
        expectViolation(post("[{\"event_id\": \"e1\","), "events");
        expectViolation(
                post("[{\"event_id\":\"e1\",\"user_id\":\"u\",\"item_id\":\"i\",\"type\":\"view\","
                        + "\"quantity\":\"lots\"}]"),
                "events[0].quantity");
        expectViolation(post("{\"event_id\":\"e1\"}"), "events");
        expectViolation(post("[]"), "events");
        expectViolation(post("[{},{},{},{}]"), "events");
    }

    @Test
    void catalogItemsAreUpserted() {
        http.put()
                .uri("/api/v1/catalog/items")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("[{\"item_id\":\"i1\",\"title\":\"Mug\",\"price\":3.5,\"currency\":\"GBP\","
                        + "\"available\":false}]")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.upserted")
                .isEqualTo(1)
                .jsonPath("$.results[0].outcome")
                .isEqualTo("upserted");
    }

    @Test
    void internalCallersGetTheSameApiOverGrpcAtTheEdge() throws InterruptedException {
        io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
        try {
            RecommendationServiceGrpc.RecommendationServiceBlockingStub edge =
                    RecommendationServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(edge.recommend(RecommendRequest.newBuilder()
                                    .setUserId("alice")
                                    .setLimit(3)
                                    .build())
                            .getItemsCount())
                    .isEqualTo(3);
            assertThatThrownBy(() -> edge.recommend(RecommendRequest.newBuilder()
                            .setUserId("alice")
                            .setLimit(500)
                            .build()))
                    .isInstanceOfSatisfying(io.grpc.StatusRuntimeException.class, e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                        assertThat(GrpcErrors.fieldViolations(e))
                                .extracting(v -> v.getField())
                                .containsExactly("limit");
                    });
        } finally {
            channel.shutdownNow().awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private WebTestClient.ResponseSpec post(String body) {
        return http.post()
                .uri("/api/v1/events")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body)
                .exchange();
    }

    private static void expectViolation(WebTestClient.ResponseSpec response, String field) {
        response.expectStatus()
                .isBadRequest()
                .expectBody()
                .jsonPath("$.error")
                .isEqualTo("invalid_argument")
                .jsonPath("$.violations[0].field")
                .isEqualTo(field);
    }

    private static Server start() {
        try {
            return ServerBuilder.forPort(0)
                    .addService(new StandInRecommendations())
                    .addService(new StandInIngestion())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class StandInRecommendations extends RecommendationServiceGrpc.RecommendationServiceImplBase {
        @Override
        public void recommend(RecommendRequest request, StreamObserver<RecommendResponse> responses) {
            lastRecommend.set(request);
            FieldViolations violations = new FieldViolations();
            if (request.getUserId().isEmpty()) {
                violations.add("user_id", "is required");
            }
            if (request.getLimit() > 200) {
                violations.add("limit", "must be between 1 and 200");
            }
            if (!violations.isEmpty()) {
                responses.onError(GrpcErrors.invalidArgument(violations.list()));
                return;
            }
            if (backendFailure.get() != null) {
                responses.onError(GrpcErrors.unavailable(
                        backendFailure.get().getDescription(), java.time.Duration.ofMillis(1500)));
                return;
            }
            if (request.getUserId().equals("slowpoke")) {
                sleep(1000);
            }
            RecommendResponse.Builder answer = RecommendResponse.newBuilder()
                    .setUserId(request.getUserId())
                    .setModelVersion("popularity")
                    .setDepth(PredictionDepth.PREDICTION_DEPTH_FULL);
            for (int i = 1; i <= request.getLimit(); i++) {
                answer.addItems(RecommendedItem.newBuilder()
                        .setItemId("top-" + i)
                        .setScore(10 - i / 2.0)
                        .addSources(CandidateSource.CANDIDATE_SOURCE_POPULARITY));
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }
    }

    private static final class StandInIngestion extends IngestionServiceGrpc.IngestionServiceImplBase {
        @Override
        public void ingestEvents(IngestEventsRequest request, StreamObserver<IngestEventsResponse> responses) {
            IngestEventsResponse.Builder answer = IngestEventsResponse.newBuilder();
            for (int i = 0; i < request.getEventsCount(); i++) {
                Event event = request.getEvents(i);
                EventResult.Builder result =
                        EventResult.newBuilder().setIndex(i).setEventId(event.getEventId());
                if (event.getUserId().isEmpty()) {
                    result.setOutcome(EventOutcome.EVENT_OUTCOME_REJECTED)
                            .addAllViolations(new FieldViolations()
                                    .add("events[" + i + "].user_id", "is required")
                                    .list());
                    answer.setRejected(answer.getRejected() + 1);
                } else {
                    result.setOutcome(EventOutcome.EVENT_OUTCOME_ACCEPTED);
                    answer.setAccepted(answer.getAccepted() + 1);
                }
                answer.addResults(result);
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }

        @Override
        public void upsertItems(UpsertItemsRequest request, StreamObserver<UpsertItemsResponse> responses) {
            UpsertItemsResponse.Builder answer = UpsertItemsResponse.newBuilder();
            for (int i = 0; i < request.getItemsCount(); i++) {
                Item item = request.getItems(i);
                answer.addResults(ItemResult.newBuilder()
                        .setIndex(i)
                        .setItemId(item.getItemId())
                        .setOutcome(ItemOutcome.ITEM_OUTCOME_UPSERTED));
            }
            responses.onNext(answer.setUpserted(request.getItemsCount()).build());
            responses.onCompleted();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
