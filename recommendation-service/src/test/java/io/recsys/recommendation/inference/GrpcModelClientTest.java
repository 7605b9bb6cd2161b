package io.recsys.recommendation.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.inference.v1.GetModelInfoRequest;
import io.recsys.contracts.inference.v1.InferenceServiceGrpc;
import io.recsys.contracts.inference.v1.ModelInfo;
import io.recsys.contracts.inference.v1.ModelState;
import io.recsys.contracts.inference.v1.RankRequest;
import io.recsys.contracts.inference.v1.RankResponse;
import io.recsys.contracts.inference.v1.RetrieveRequest;
import io.recsys.contracts.inference.v1.RetrieveResponse;
import io.recsys.recommendation.inference.ModelClient.ModelSchema;
import io.recsys.testsupport.Configured;
import io.recsys.testsupport.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a stand-in inference-service over a real gRPC socket. */
class GrpcModelClientTest {

    /** Answers as told and keeps the last requests. */
    private static final class StandIn extends InferenceServiceGrpc.InferenceServiceImplBase {
        final AtomicReference<ModelInfo> info = new AtomicReference<>(serving("v1", "user_events"));
        final AtomicInteger infoCalls = new AtomicInteger();
        final AtomicReference<RankRequest> lastRank = new AtomicReference<>();
        final AtomicReference<RetrieveRequest> lastRetrieve = new AtomicReference<>();

        @Override
        public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> responses) {
            infoCalls.incrementAndGet();
            ModelInfo answer = info.get();
            if (answer == null) {
                responses.onError(Status.UNAVAILABLE.asRuntimeException());
                return;
            }
            responses.onNext(answer);
            responses.onCompleted();
        }

        @Override
        public void rank(RankRequest request, StreamObserver<RankResponse> responses) {
            lastRank.set(request);
            RankResponse.Builder answer = RankResponse.newBuilder().setModelVersion("v1");
            for (int i = 0; i < request.getCandidatesCount(); i++) {
                answer.addScores(request.getCandidates(i).getFeatures(0) * 10);
            }
            responses.onNext(answer.build());
            responses.onCompleted();
        }

        @Override
        public void retrieve(RetrieveRequest request, StreamObserver<RetrieveResponse> responses) {
            lastRetrieve.set(request);
            responses.onNext(RetrieveResponse.newBuilder()
                    .addItems(ScoredItem.newBuilder().setItemId("near").setScore(0.9))
                    .build());
            responses.onCompleted();
        }
    }

    private static ModelInfo serving(String version, String userFeature) {
        return ModelInfo.newBuilder()
                .setState(ModelState.MODEL_STATE_SERVING)
                .setVersion(version)
                .addUserFeatureNames(userFeature)
                .addItemFeatureNames("price")
                .putCheapScoreWeights("cooccurrence", 0.5)
                .build();
    }

    private final StandIn standIn = new StandIn();
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T12:00:00Z"));
    private Server server;
    private ManagedChannel channel;
    private GrpcModelClient client;

    @BeforeEach
    void start() throws IOException {
        server = ServerBuilder.forPort(0).addService(standIn).build().start();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort())
                .usePlaintext()
                .build();
        ModelSchemaProperties schema = Configured.bind(
                "recsys.recommendation.model-schema",
                ModelSchemaProperties.class,
                Map.of("refresh", "5s", "timeout", "30s"));
        client = new GrpcModelClient(InferenceServiceGrpc.newBlockingStub(channel), schema, clock);
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void theSchemaIsAskedOnceAndKeptUntilItIsDueAgain() {
        assertThat(client.schema())
                .contains(new ModelSchema(
                        "v1",
                        List.of("user_events"),
                        List.of("price"),
                        Map.of("cooccurrence", 0.5),
                        FeatureContract.PLATFORM));
        clock.advance(Duration.ofSeconds(4));
        assertThat(client.schema().map(ModelSchema::version)).contains("v1");
        assertThat(standIn.infoCalls).hasValue(1);
    }

    @Test
    void aNewVersionsSchemaArrivesInTheBackgroundOnceDue() {
        client.schema();
        standIn.info.set(serving("v2", "hours_since_active"));
        clock.advance(Duration.ofSeconds(6));

        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> client.schema().map(ModelSchema::version).equals(Optional.of("v2")));
        assertThat(client.schema().orElseThrow().userFeatureNames()).containsExactly("hours_since_active");
    }

    @Test
    void theBundlesFeatureContractDecidesHowMuchOfTheShoppersStateIsRead() {
        standIn.info.set(serving("v3", "user_events").toBuilder()
                .setFeatureContract(io.recsys.contracts.inference.v1.FeatureContract.newBuilder()
                        .setRecentEvents(40)
                        .setRetrievalItems(20)
                        .setCooccurrenceSeeds(3)
                        .setNeighboursPerSeed(25)
                        .setPairsPerEvent(3)
                        .setLookBackEvents(12)
                        .setNeighboursKept(50))
                .build());

        FeatureContract contract = client.schema().orElseThrow().contract();

        assertThat(contract).isEqualTo(new FeatureContract(40, 3, 25, 3, 12, 50));
        assertThat(contract.writeSideDifferences())
                .containsExactly("pairs per event: bundle 3, platform 5", "look-back events: bundle 12, platform 20");
        assertThat(FeatureContract.PLATFORM.writeSideDifferences()).isEmpty();
    }

    @Test
    void anUnreachableServiceKeepsWhatWasKnownAndAModelNotServingHasNoSchema() {
        client.schema();
        standIn.info.set(null);
        clock.advance(Duration.ofSeconds(6));
        client.schema();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> standIn.infoCalls.get() >= 2);
        assertThat(client.schema().map(ModelSchema::version)).contains("v1");

        standIn.info.set(
                ModelInfo.newBuilder().setState(ModelState.MODEL_STATE_LOADING).build());
        clock.advance(Duration.ofSeconds(6));
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> client.schema().isEmpty());
    }

    @Test
    void rankPacksEachCandidatesFeaturesAndReturnsTheScoresInOrder() {
        ModelClient.Scores scores = client.rank(
                List.of("seen"),
                new float[] {3f, 4f},
                List.of("a", "b"),
                new float[][] {{1f, 9f}, {2f, 8f}},
                Duration.ofSeconds(30));

        assertThat(scores.modelVersion()).isEqualTo("v1");
        assertThat(scores.values()).containsExactly(10f, 20f);
        RankRequest sent = standIn.lastRank.get();
        assertThat(sent.getRecentItems().getItemIdsList()).containsExactly("seen");
        assertThat(sent.getUserFeaturesList()).containsExactly(3f, 4f);
        assertThat(sent.getCandidates(1).getItemId()).isEqualTo("b");
        assertThat(sent.getCandidates(1).getFeaturesList()).containsExactly(2f, 8f);
    }

    @Test
    void retrieveAsksForTheRecentItemsNeighboursLessTheExcluded() {
        List<ScoredItem> items = client.retrieve(List.of("r1", "r2"), 7, List.of("x"), Duration.ofSeconds(30));

        assertThat(items).extracting(ScoredItem::getItemId).containsExactly("near");
        RetrieveRequest sent = standIn.lastRetrieve.get();
        assertThat(sent.getRecentItems().getItemIdsList()).containsExactly("r1", "r2");
        assertThat(sent.getTopK()).isEqualTo(7);
        assertThat(sent.getExcludeItemIdsList()).containsExactly("x");
    }
}
