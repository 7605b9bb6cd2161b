package io.recsys.inference.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.recsys.contracts.common.v1.ScoredItem;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.contracts.inference.v1.GetModelInfoRequest;
import io.recsys.contracts.inference.v1.InferenceServiceGrpc;
import io.recsys.contracts.inference.v1.ModelInfo;
import io.recsys.contracts.inference.v1.ModelState;
import io.recsys.contracts.inference.v1.RankCandidate;
import io.recsys.contracts.inference.v1.RankRequest;
import io.recsys.contracts.inference.v1.RankResponse;
import io.recsys.contracts.inference.v1.RecentItems;
import io.recsys.contracts.inference.v1.RetrieveRequest;
import io.recsys.contracts.inference.v1.UserVector;
import io.recsys.inference.bundle.BundleFixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(
        properties = {
            "spring.grpc.server.port=0",
            "server.port=0",
            "recsys.inference.device=cpu",
            "recsys.inference.max-candidates=600"
        })
class InferenceGrpcIntegrationTest {

    private static final Path MODELS = createModelDir();
    private static final String VERSION = "20990101T000000Z";
    private static final JsonNode SAMPLES = readSamples();

    private static Path createModelDir() {
        try {
            Path dir = Files.createTempDirectory("inference-models");
            BundleFixtures.publishCopy(dir, "demo", VERSION);
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode readSamples() {
        return JsonMapper.builder()
                .build()
                .readTree(BundleFixtures.demoBundle().resolve("samples.json").toFile());
    }

    @DynamicPropertySource
    static void modelDir(DynamicPropertyRegistry registry) {
        registry.add("recsys.inference.model-dir", MODELS::toString);
    }

    @LocalGrpcServerPort
    int grpcPort;

    private ManagedChannel channel;
    private InferenceServiceGrpc.InferenceServiceBlockingStub inference;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
        inference = InferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static RankRequest sampleRequest(int index, Consumer<RankRequest.Builder> change) {
        JsonNode sample = SAMPLES.path("requests").get(index);
        RankRequest.Builder request = RankRequest.newBuilder();
        RecentItems.Builder recent = RecentItems.newBuilder();
        sample.path("recent_items").forEach(id -> recent.addItemIds(id.asString()));
        request.setRecentItems(recent);
        sample.path("user_features").forEach(v -> request.addUserFeatures((float) v.asDouble()));
        sample.path("candidates").forEach(c -> {
            RankCandidate.Builder candidate =
                    RankCandidate.newBuilder().setItemId(c.path("item_id").asString());
            c.path("features").forEach(v -> candidate.addFeatures((float) v.asDouble()));
            request.addCandidates(candidate);
        });
        change.accept(request);
        return request.build();
    }

    @Test
    void rankScoresTheCandidatesInTheirOrderAsTheTrainedModelDoes() {
        for (int i = 0; i < SAMPLES.path("requests").size(); i++) {
            RankResponse response = inference.rank(sampleRequest(i, r -> {}));

            JsonNode expected = SAMPLES.path("requests").get(i).path("scores");
            assertThat(response.getModelVersion()).isEqualTo(VERSION);
            assertThat(response.getScoresCount()).isEqualTo(expected.size());
            for (int c = 0; c < expected.size(); c++) {
                assertThat((double) response.getScores(c))
                        .isCloseTo(expected.get(c).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    @Test
    void retrieveReturnsTheNearestItemsWithoutTheExcludedOnes() {
        JsonNode query = SAMPLES.path("retrieval").get(0);
        RetrieveRequest.Builder request =
                RetrieveRequest.newBuilder().setTopK(query.path("top_k").asInt());
        RecentItems.Builder recent = RecentItems.newBuilder();
        query.path("recent_items").forEach(id -> recent.addItemIds(id.asString()));
        query.path("exclude_item_ids").forEach(id -> request.addExcludeItemIds(id.asString()));

        List<ScoredItem> items =
                inference.retrieve(request.setRecentItems(recent).build()).getItemsList();

        List<String> expected = new ArrayList<>();
        query.path("item_ids").forEach(id -> expected.add(id.asString()));
        assertThat(items).extracting(ScoredItem::getItemId).containsExactlyElementsOf(expected);
        assertThat(items.getFirst().getScore())
                .isCloseTo(query.path("scores").get(0).asDouble(), org.assertj.core.data.Offset.offset(1e-5));
        assertThat(items)
                .extracting(ScoredItem::getItemId)
                .doesNotContainAnyElementsOf(request.getExcludeItemIdsList());
    }

    @Test
    void aShopperWithoutKnownItemsGetsNothingPersonalRatherThanAGuess() {
        assertThat(inference
                        .retrieve(RetrieveRequest.newBuilder()
                                .setTopK(5)
                                .setRecentItems(RecentItems.newBuilder().addItemIds("never-seen"))
                                .build())
                        .getItemsList())
                .isEmpty();
        // ranking still works for them: a zero user vector, the dense features decide
        assertThat(inference.rank(sampleRequest(0, r -> r.clearUser())).getScoresCount())
                .isPositive();
    }

    @Test
    void modelInfoDescribesWhatServes() {
        ModelInfo info = inference.getModelInfo(GetModelInfoRequest.getDefaultInstance());

        assertThat(info.getState()).isEqualTo(ModelState.MODEL_STATE_SERVING);
        assertThat(info.getVersion()).isEqualTo(VERSION);
        assertThat(info.getEngine()).isEqualTo("OnnxRuntime");
        assertThat(info.getDevice()).isEqualTo("cpu()");
        assertThat(info.getUserFeatureNamesList()).containsExactly("user_events");
        assertThat(info.getItemFeatureNamesCount()).isEqualTo(5);
        assertThat(info.getEmbeddingDimension()).isEqualTo(32);
        assertThat(info.getOfflineMetricsMap()).containsKey("validation.ndcg@10_ranked");
        assertThat(info.getCheapScoreWeightsMap())
                .containsOnlyKeys("cooccurrence", "item_popularity_7d", "item_popularity");
        assertThat(info.getFeatureContract().getRecentEvents()).isEqualTo(100);
        assertThat(info.getFeatureContract().getCooccurrenceSeeds()).isEqualTo(5);
        assertThat(info.getFeatureContract().getLookBackEvents()).isEqualTo(20);
        assertThat(info.getFeatureContract().getCandidatesMap()).containsEntry("embedding", 50);
    }

    @Test
    void badInputIsAnInvalidArgumentNamingTheField() {
        assertViolation(sampleRequest(0, r -> r.getCandidatesBuilder(2).addFeatures(1f)), "candidates[2].features");
        assertViolation(
                sampleRequest(0, r -> r.getCandidatesBuilder(1).setFeatures(0, Float.NaN)),
                "candidates[1].features[0]");
        assertViolation(
                sampleRequest(0, r -> r.getCandidatesBuilder(0).setFeatures(4, -3f)), "candidates[0].features[4]");
        assertViolation(sampleRequest(0, r -> r.setUserFeatures(0, Float.POSITIVE_INFINITY)), "user_features[0]");
        assertViolation(sampleRequest(0, r -> r.clearUserFeatures()), "user_features");
        assertViolation(
                sampleRequest(0, r -> r.setUserVector(UserVector.newBuilder().addValues(1f))), "user_vector.values");
        assertViolation(sampleRequest(0, RankRequest.Builder::clearCandidates), "candidates");
        assertViolation(
                sampleRequest(0, r -> {
                    for (int i = 0; i < 600; i++) {
                        r.addCandidates(r.getCandidates(0));
                    }
                }),
                "candidates");
    }

    @Test
    void anUnknownModelVersionIsNotFound() {
        assertThatThrownBy(() -> inference.rank(sampleRequest(0, r -> r.setModelVersion("1999"))))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                    assertThat(e.getStatus().getDescription()).contains("serving " + VERSION);
                });
        assertThat(inference
                        .rank(sampleRequest(0, r -> r.setModelVersion(VERSION)))
                        .getModelVersion())
                .isEqualTo(VERSION);
    }

    @Test
    void healthServiceAnswersServing() {
        assertThat(HealthGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance())
                        .getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    private void assertViolation(RankRequest request, String field) {
        assertThatThrownBy(() -> inference.rank(request)).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(GrpcErrors.fieldViolations(e))
                    .extracting(v -> v.getField())
                    .contains(field);
        });
    }
}
