package io.recsys.recommendation.recommend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

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
import io.recsys.contracts.features.v1.GetPopularItemsRequest;
import io.recsys.contracts.features.v1.GetPopularItemsResponse;
import io.recsys.contracts.features.v1.Interaction;
import io.recsys.contracts.features.v1.UserFeatures;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.contracts.recommend.v1.RecommendedItem;

/**
 * The service's real gRPC interface, calling a stand-in feature-service over a real socket: the
 * stand-in answers like the real one (exclusions honoured) or fails like it does when Redis is down.
 */
@SpringBootTest(properties = {"spring.grpc.server.port=0", "server.port=0"})
class RecommendGrpcIntegrationTest {

    private static final AtomicReference<Status> featureFailure = new AtomicReference<>();
    private static final Server featureService = startFeatureService();

    @DynamicPropertySource
    static void featureServiceAddress(DynamicPropertyRegistry registry) {
        registry.add("spring.grpc.client.channel.feature-service.target", () -> "static://127.0.0.1:" + featureService.getPort());
    }

    @AfterAll
    static void stopFeatureService() {
        featureService.shutdownNow();
    }

    @LocalGrpcServerPort
    int grpcPort;

    private ManagedChannel channel;
    private RecommendationServiceGrpc.RecommendationServiceBlockingStub recommendations;

    @BeforeEach
    void connect() {
        featureFailure.set(null);
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        recommendations = RecommendationServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void recommendsPopularItemsTheUserHasNotSeen() {
        RecommendResponse response = recommendations.recommend(RecommendRequest.newBuilder().setUserId("alice").setLimit(3).build());

        assertThat(response.getItemsList()).extracting(RecommendedItem::getItemId).containsExactly("p2", "p4", "p5");
        assertThat(response.getColdStart()).isFalse();
    }

    @Test
    void theDefaultLimitAppliesWhenNoneIsGiven() {
        assertThat(recommendations.recommend(RecommendRequest.newBuilder().setUserId("newcomer").build()).getItemsCount()).isEqualTo(10);
    }

    @Test
    void badRequestsNameTheirFields() {
        assertThatThrownBy(() -> recommendations.recommend(RecommendRequest.newBuilder().setUserId("").setLimit(201).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(GrpcErrors.fieldViolations(e)).extracting(v -> v.getField()).containsExactly("user_id", "limit");
                });
    }

    @Test
    void anUnavailableFeatureStoreIsReportedAsUnavailable() {
        featureFailure.set(Status.UNAVAILABLE.withDescription("store unavailable, retry later"));

        assertThatThrownBy(() -> recommendations.recommend(RecommendRequest.newBuilder().setUserId("alice").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    private static Server startFeatureService() {
        try {
            return ServerBuilder.forPort(0).addService(new StandInFeatureService()).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class StandInFeatureService extends FeatureServiceGrpc.FeatureServiceImplBase {

        @Override
        public void getFeatures(GetFeaturesRequest request, StreamObserver<GetFeaturesResponse> responses) {
            if (featureFailure.get() != null) {
                responses.onError(featureFailure.get().asRuntimeException());
                return;
            }
            UserFeatures.Builder user = UserFeatures.newBuilder().setUserId(request.getUserId());
            if (request.getUserId().equals("alice")) {
                user.setStatus(FeatureStatus.FEATURE_STATUS_PRESENT)
                        .addRecent(Interaction.newBuilder().setItemId("p1"))
                        .addRecent(Interaction.newBuilder().setItemId("p3"));
            } else {
                user.setStatus(FeatureStatus.FEATURE_STATUS_NOT_FOUND);
            }
            responses.onNext(GetFeaturesResponse.newBuilder().setUser(user).build());
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
}
