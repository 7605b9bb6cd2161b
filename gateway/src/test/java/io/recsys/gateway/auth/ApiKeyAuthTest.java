package io.recsys.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.contracts.recommend.v1.RecommendedItem;
import io.recsys.testsupport.RealRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.grpc.test.autoconfigure.LocalGrpcServerPort;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** With keys configured, the public API over HTTP and gRPC answers only callers that present one; probes stay open. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            // two keys at once: the state in the middle of a rotation
            "recsys.gateway.auth.api-keys=old-key-0123456789abcdef,new-key-0123456789abcdef"
        })
class ApiKeyAuthTest {

    private static final Server backend = start();

    /** The rate limiter's buckets. */
    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    @DynamicPropertySource
    static void backendAddress(DynamicPropertyRegistry registry) {
        redis.registerSpringProperties(registry::add);
        registry.add(
                "spring.grpc.client.channel.recommendation-service.target",
                () -> "static://127.0.0.1:" + backend.getPort());
        registry.add(
                "spring.grpc.client.channel.ingestion-service.target", () -> "static://127.0.0.1:" + backend.getPort());
    }

    @AfterAll
    static void stop() {
        backend.shutdownNow();
    }

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @LocalGrpcServerPort
    int grpcPort;

    private WebTestClient http;
    private ManagedChannel channel;

    @BeforeEach
    void clients() {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort)
                .usePlaintext()
                .build();
    }

    @AfterEach
    void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void httpCallersWithoutAnAcceptedKeyAre401s() {
        http.get()
                .uri("/api/v1/users/alice/recommendations?limit=3")
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .valueEquals("WWW-Authenticate", "ApiKey header=\"X-Api-Key\"")
                .expectBody()
                .jsonPath("$.error")
                .isEqualTo("unauthenticated");
        http.get()
                .uri("/api/v1/users/alice/recommendations?limit=3")
                .header("X-Api-Key", "old-key-0123456789abcdeX")
                .exchange()
                .expectStatus()
                .isUnauthorized();
        http.get()
                .uri("/api/v1/users/alice/recommendations?limit=3")
                .header("Authorization", "Basic b2xkLWtleQ==")
                .exchange()
                .expectStatus()
                .isUnauthorized();
    }

    @Test
    void eitherKeyOfARotationIsAcceptedInEitherHeader() {
        http.get()
                .uri("/api/v1/users/alice/recommendations?limit=2")
                .header("X-Api-Key", "old-key-0123456789abcdef")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.items.length()")
                .isEqualTo(2);
        http.get()
                .uri("/api/v1/users/alice/recommendations?limit=2")
                .header("Authorization", "Bearer new-key-0123456789abcdef")
                .exchange()
                .expectStatus()
                .isOk();
    }

    @Test
    void probesAndMetricsNeedNoKeyOnTheManagementPortAndAreNotOnThePublicOne() {
        WebTestClient management = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + managementPort)
                .build();
        assertThat(managementPort).isNotEqualTo(port);
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isNotFound();
        management
                .get()
                .uri("/actuator/health/readiness")
                .exchange()
                .expectStatus()
                .isOk();
        management
                .get()
                .uri("/actuator/prometheus")
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body).contains("recsys_gateway_auth_rejections_total"));
    }

    @Test
    void grpcCallersNeedAKeyButHealthChecksDoNot() {
        RecommendRequest request =
                RecommendRequest.newBuilder().setUserId("alice").setLimit(2).build();
        assertThatThrownBy(() -> RecommendationServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .recommend(request))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));

        Metadata key = new Metadata();
        key.put(Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER), "new-key-0123456789abcdef");
        RecommendResponse answer = RecommendationServiceGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(key))
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .recommend(request);
        assertThat(answer.getItemsCount()).isEqualTo(2);

        HealthCheckResponse health = HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        assertThat(health.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }

    @Test
    void theKubeletsGrpcProbesFindTheirNamedHealthServices() {
        // the application's health reaches the gRPC health service on a schedule (5 s after start, then every 5 s)
        for (String probe : new String[] {"liveness", "readiness"}) {
            Awaitility.await(probe)
                    .atMost(Duration.ofSeconds(60))
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptionsInstanceOf(StatusRuntimeException.class) // not registered yet
                    .until(
                            () -> HealthGrpc.newBlockingStub(channel)
                                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                                    .check(HealthCheckRequest.newBuilder()
                                            .setService(probe)
                                            .build())
                                    .getStatus(),
                            status -> status == HealthCheckResponse.ServingStatus.SERVING);
        }
    }

    private static Server start() {
        try {
            return ServerBuilder.forPort(0)
                    .addService(new RecommendationServiceGrpc.RecommendationServiceImplBase() {
                        @Override
                        public void recommend(RecommendRequest request, StreamObserver<RecommendResponse> responses) {
                            RecommendResponse.Builder answer = RecommendResponse.newBuilder()
                                    .setUserId(request.getUserId())
                                    .setModelVersion("popularity")
                                    .setDepth(PredictionDepth.PREDICTION_DEPTH_FULL);
                            for (int i = 0; i < request.getLimit(); i++) {
                                answer.addItems(RecommendedItem.newBuilder()
                                        .setItemId("top-" + i)
                                        .setScore(1));
                            }
                            responses.onNext(answer.build());
                            responses.onCompleted();
                        }
                    })
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
