package io.recsys.recommendation.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.features.v1.FeatureStatus;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.contracts.features.v1.GetFeaturesResponse;
import io.recsys.contracts.features.v1.GetItemNeighborsRequest;
import io.recsys.contracts.features.v1.GetItemNeighborsResponse;
import io.recsys.contracts.features.v1.GetPopularItemsRequest;
import io.recsys.contracts.features.v1.GetPopularItemsResponse;
import io.recsys.contracts.features.v1.Interaction;
import io.recsys.contracts.features.v1.ItemFeatures;
import io.recsys.contracts.features.v1.ItemNeighbors;
import io.recsys.contracts.features.v1.Popularity;
import io.recsys.contracts.features.v1.UserFeatures;
import io.recsys.contracts.inference.v1.GetModelInfoRequest;
import io.recsys.contracts.inference.v1.InferenceServiceGrpc;
import io.recsys.contracts.inference.v1.ModelInfo;
import io.recsys.contracts.inference.v1.ModelState;
import io.recsys.contracts.inference.v1.RankRequest;
import io.recsys.contracts.inference.v1.RankResponse;
import io.recsys.contracts.inference.v1.RetrieveRequest;
import io.recsys.contracts.inference.v1.RetrieveResponse;
import io.recsys.contracts.recommend.v1.DepthReason;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.contracts.recommend.v1.RecommendedItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The service's real gRPC interface, calling stand-in feature and inference services over real sockets, with faults
 * injected into the inference side: slowed down, stopped, restored.
 */
@SpringBootTest(
        properties = {
            "spring.grpc.server.port=0",
            "server.port=0",
            // the faults are injected; a busy test machine's own slowness must not add load shedding or slow calls
            "recsys.recommendation.depth.target-latency=10s",
            "resilience4j.circuitbreaker.configs.dependency.slow-call-duration-threshold=10s"
        })
class RecommendGrpcIntegrationTest {

    private static final AtomicLong inferenceDelayMillis = new AtomicLong();
    private static final AtomicBoolean inferenceDown = new AtomicBoolean();
    private static final Server featureService = start(new StandInFeatureService());
    private static final Server inferenceService = start(new StandInInferenceService());

    @DynamicPropertySource
    static void dependencies(DynamicPropertyRegistry registry) {
        registry.add(
                "spring.grpc.client.channel.feature-service.target",
                () -> "static://127.0.0.1:" + featureService.getPort());
        registry.add(
                "spring.grpc.client.channel.inference-service.target",
                () -> "static://127.0.0.1:" + inferenceService.getPort());
    }

    @AfterAll
    static void stopDependencies() {
        featureService.shutdownNow();
        inferenceService.shutdownNow();
    }

    @LocalGrpcServerPort
    int grpcPort;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        inferenceDelayMillis.set(0);
        inferenceDown.set(false);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private RecommendResponse recommend(String user, long deadlineMillis) {
        return RecommendationServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
                .recommend(RecommendRequest.newBuilder()
                        .setUserId(user)
                        .setLimit(5)
                        .build());
    }

    @Test
    void aKnownShopperIsRankedByTheModelAtFullDepth() {
        Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            RecommendResponse response = recommend("alice", 2_000);
            assertThat(response.getDepth())
                    .as(response.getDepthDetail())
                    .isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
            assertThat(response.getModelVersion()).isEqualTo("stand-in-1");
            // the stand-in model prefers higher item numbers: p44, retrieval's best, beats every popular and
            // co-occurring candidate FULL gathers (p2..p22, p20..p24); p1 and p3 are hers already
            assertThat(response.getItemsList())
                    .extracting(RecommendedItem::getItemId)
                    .first()
                    .isEqualTo("p44");
            assertThat(response.getItemsList())
                    .extracting(RecommendedItem::getItemId)
                    .doesNotContain("p1", "p3");
        });
    }

    private void awaitFullDepth() {
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    RecommendResponse response = recommend("alice", 2_000);
                    assertThat(response.getDepth())
                            .as(response.getDepthDetail())
                            .isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
                });
    }

    @Test
    void aSlowRankerIsSteppedAroundWithinTheDeadlineAndFullDepthReturnsAfterwards() {
        awaitFullDepth();
        // the ranker answers later than the inference timeout (250 ms); the caller's deadline leaves room for
        // a cheaper answer, which comes (recommend fails on DEADLINE_EXCEEDED) at a lower depth
        inferenceDelayMillis.set(1_000);
        RecommendResponse slow = recommend("alice", 2_000);

        assertThat(slow.getDepth())
                .isIn(PredictionDepth.PREDICTION_DEPTH_MINIMAL, PredictionDepth.PREDICTION_DEPTH_REDUCED);
        assertThat(slow.getItemsCount()).isEqualTo(5);

        inferenceDelayMillis.set(0);
        awaitFullDepth();
    }

    @Test
    void aStoppedInferenceServiceGivesMinimalAnswersNotErrorsUntilItIsBack() {
        awaitFullDepth();
        inferenceDown.set(true);
        // every answer meanwhile is MINIMAL, complete and on time; once failures dominate the breaker's window
        // (5 s) it opens, and the service stops calling the dead dependency and says so
        boolean breakerOpened = false;
        for (int i = 0; i < 2_000 && !breakerOpened; i++) {
            RecommendResponse response = recommend("alice", 5_000);
            assertThat(response.getDepth())
                    .as(response.getDepthDetail())
                    .isEqualTo(PredictionDepth.PREDICTION_DEPTH_MINIMAL);
            assertThat(response.getDepthReasonsList())
                    .containsAnyOf(DepthReason.DEPTH_REASON_DEPENDENCY_FAILED, DepthReason.DEPTH_REASON_CIRCUIT_OPEN);
            assertThat(response.getItemsCount()).isEqualTo(5);
            breakerOpened = response.getDepthReasonsList().contains(DepthReason.DEPTH_REASON_CIRCUIT_OPEN);
        }
        assertThat(breakerOpened).as("the inference breaker opened").isTrue();

        inferenceDown.set(false);
        awaitFullDepth();
    }

    @Test
    void aNewcomerIsServedAndBadRequestsNameTheirFields() {
        RecommendResponse newcomer = recommend("newcomer", 2_000);
        assertThat(newcomer.getColdStart()).isTrue();
        assertThat(newcomer.getItemsList())
                .extracting(RecommendedItem::getItemId)
                .first()
                .isEqualTo("p1");

        assertThatThrownBy(() -> RecommendationServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .recommend(RecommendRequest.newBuilder()
                                .setUserId("")
                                .setLimit(201)
                                .build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(GrpcErrors.fieldViolations(e))
                            .extracting(v -> v.getField())
                            .containsExactly("user_id", "limit");
                });
    }

    private static Server start(io.grpc.BindableService service) {
        try {
            return ServerBuilder.forPort(0).addService(service).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** 50 items p1..p50, p1 the most popular; alice has p1 and p3; neighbours of p3 are p20..p24. */
    private static final class StandInFeatureService extends FeatureServiceGrpc.FeatureServiceImplBase {

        @Override
        public void getFeatures(GetFeaturesRequest request, StreamObserver<GetFeaturesResponse> responses) {
            UserFeatures.Builder user = UserFeatures.newBuilder().setUserId(request.getUserId());
            if (request.getUserId().equals("alice")) {
                user.setStatus(FeatureStatus.FEATURE_STATUS_PRESENT)
                        .putEventCounts("view", 2)
                        .addRecent(Interaction.newBuilder().setItemId("p3"))
                        .addRecent(Interaction.newBuilder().setItemId("p1"));
            } else {
                user.setStatus(FeatureStatus.FEATURE_STATUS_NOT_FOUND);
            }
            GetFeaturesResponse.Builder answer =
                    GetFeaturesResponse.newBuilder().setUser(user);
            for (String id : request.getItemIdsList()) {
                int n = Integer.parseInt(id.substring(1));
                answer.addItems(ItemFeatures.newBuilder()
                        .setItemId(id)
                        .setStatus(FeatureStatus.FEATURE_STATUS_PRESENT)
                        .setPopularity(Popularity.newBuilder()
                                .setAllTime(100 - n)
                                .setLastWeek(50 - n / 2.0)
                                .setLastDay(10))
                        .setCatalogStatus(FeatureStatus.FEATURE_STATUS_NOT_FOUND));
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }

        @Override
        public void getItemNeighbors(
                GetItemNeighborsRequest request, StreamObserver<GetItemNeighborsResponse> responses) {
            GetItemNeighborsResponse.Builder answer = GetItemNeighborsResponse.newBuilder();
            for (String id : request.getItemIdsList()) {
                ItemNeighbors.Builder neighbours =
                        ItemNeighbors.newBuilder().setItemId(id).setStatus(FeatureStatus.FEATURE_STATUS_PRESENT);
                if (id.equals("p3")) {
                    for (int n = 20; n < 25; n++) {
                        neighbours.addNeighbors(
                                ScoredItem.newBuilder().setItemId("p" + n).setScore(30 - n));
                    }
                }
                answer.addItems(neighbours);
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }

        @Override
        public void getPopularItems(GetPopularItemsRequest request, StreamObserver<GetPopularItemsResponse> responses) {
            GetPopularItemsResponse.Builder answer = GetPopularItemsResponse.newBuilder();
            for (int rank = 1; rank <= 50 && answer.getItemsCount() < request.getLimit(); rank++) {
                String id = "p" + rank;
                if (!request.getExcludeItemIdsList().contains(id)) {
                    answer.addItems(ScoredItem.newBuilder().setItemId(id).setScore(100 - rank));
                }
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }
    }

    /** Serves a "model" that scores an item by its number; retrieval proposes p40..p44. Can be slowed or stopped. */
    private static final class StandInInferenceService extends InferenceServiceGrpc.InferenceServiceImplBase {

        @Override
        public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> responses) {
            responses.onNext(ModelInfo.newBuilder()
                    .setState(ModelState.MODEL_STATE_SERVING)
                    .setVersion("stand-in-1")
                    .addUserFeatureNames("user_events")
                    .addUserFeatureNames("hours_since_user_active")
                    .addItemFeatureNames("cooccurrence")
                    .addItemFeatureNames("item_popularity")
                    .addItemFeatureNames("price")
                    .build());
            responses.onCompleted();
        }

        @Override
        public void retrieve(RetrieveRequest request, StreamObserver<RetrieveResponse> responses) {
            if (misbehave(responses)) {
                return;
            }
            RetrieveResponse.Builder answer = RetrieveResponse.newBuilder().setModelVersion("stand-in-1");
            for (int n = 40; n < 45; n++) {
                answer.addItems(ScoredItem.newBuilder().setItemId("p" + n).setScore(1.0 / n));
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }

        @Override
        public void rank(RankRequest request, StreamObserver<RankResponse> responses) {
            if (misbehave(responses)) {
                return;
            }
            RankResponse.Builder answer = RankResponse.newBuilder().setModelVersion("stand-in-1");
            request.getCandidatesList()
                    .forEach(
                            c -> answer.addScores(Integer.parseInt(c.getItemId().substring(1))));
            responses.onNext(answer.build());
            responses.onCompleted();
        }

        private static boolean misbehave(StreamObserver<?> responses) {
            if (inferenceDown.get()) {
                responses.onError(
                        Status.UNAVAILABLE.withDescription("stand-in stopped").asRuntimeException());
                return true;
            }
            long delay = inferenceDelayMillis.get();
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return false;
        }
    }
}
