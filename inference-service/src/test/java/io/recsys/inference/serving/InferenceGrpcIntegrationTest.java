package io.recsys.inference.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.recsys.contracts.inference.v1.GetModelInfoRequest;
import io.recsys.contracts.inference.v1.InferenceServiceGrpc;
import io.recsys.contracts.inference.v1.ModelState;
import io.recsys.contracts.inference.v1.RankCandidate;
import io.recsys.contracts.inference.v1.RankRequest;

@SpringBootTest(properties = {"spring.grpc.server.port=0", "server.port=0"})
class InferenceGrpcIntegrationTest {

    @LocalGrpcServerPort
    int grpcPort;

    private ManagedChannel channel;

    @BeforeEach
    void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void withoutABundleItSaysSoInsteadOfInventingScores() {
        InferenceServiceGrpc.InferenceServiceBlockingStub inference = InferenceServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS);

        assertThat(inference.getModelInfo(GetModelInfoRequest.getDefaultInstance()).getState()).isEqualTo(ModelState.MODEL_STATE_NO_MODEL);
        assertThatThrownBy(() -> inference.rank(RankRequest.newBuilder()
                .addCandidates(RankCandidate.newBuilder().setItemId("i1").addFeatures(1f)).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    @Test
    void healthServiceAnswersServing() {
        assertThat(HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance()).getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
}
