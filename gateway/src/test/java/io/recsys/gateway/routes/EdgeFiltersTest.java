package io.recsys.gateway.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.recsys.gateway.StandInBackend;
import io.recsys.testsupport.RealRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;

/**
 * The public routes' filters, in their order, against a stand-in backend over a real gRPC socket and a real Redis for
 * the rate limiter's buckets; every refusal in the one problem-details shape.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "spring.grpc.server.port=0",
            "recsys.gateway.auth.clients.polite.api-keys=polite-key-0123456789",
            "recsys.gateway.auth.clients.flooder.api-keys=flooder-key-0123456789",
            "recsys.gateway.auth.clients.sizer.api-keys=sizer-key-01234567890",
            "recsys.gateway.rate-limit.clients.flooder.requests-per-second=1",
            "recsys.gateway.rate-limit.clients.flooder.burst=2",
            "recsys.gateway.rate-limit.clients.sizer.requests-per-second=1",
            "recsys.gateway.rate-limit.clients.sizer.burst=1",
            "recsys.gateway.max-request-size=2KB",
            // open only when all of the last four calls failed
            "recsys.gateway.circuit-breaker.failure-rate-threshold=100",
            "recsys.gateway.circuit-breaker.minimum-number-of-calls=4",
            "recsys.gateway.circuit-breaker.sliding-window-size=4",
            "recsys.gateway.circuit-breaker.wait-in-open-state=1h"
        })
class EdgeFiltersTest {

    private static final String POLITE = "polite-key-0123456789";

    @RegisterExtension
    static final RealRedis redis = new RealRedis();

    private static final StandInBackend backend = new StandInBackend();

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        redis.registerSpringProperties(registry::add);
        registry.add("spring.grpc.client.channel.recommendation-service.target", backend::target);
        registry.add("spring.grpc.client.channel.ingestion-service.target", backend::target);
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    @LocalServerPort
    int port;

    @Autowired
    RouteLocator routes;

    @Autowired
    CircuitBreakerRegistry breakers;

    private WebTestClient http;

    @BeforeEach
    void client() {
        breakers.getAllCircuitBreakers().forEach(breaker -> breaker.reset());
        http = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Test
    void everyPublicRouteRunsTheEdgeFiltersInTheirOrder() {
        List<Route> all = routes.getRoutes().collectList().block();
        assertThat(all).extracting(Route::getId).containsExactly("recommendations", "events", "catalog-items");
        for (Route route : all) {
            List<String> filters =
                    route.getFilters().stream().map(Object::toString).toList();
            assertThat(filters.get(0)).contains("ApiKeyAuthentication");
            assertThat(filters.get(1)).contains("RequestSize");
            assertThat(filters.get(2)).contains("RequestRateLimiter");
            assertThat(filters.get(3)).contains("CircuitBreaker");
            assertThat(route.getUri().getScheme()).isEqualTo("forward");
        }
        Route recommendations = all.getFirst();
        assertThat(recommendations.getFilters().get(4).toString()).contains("Retry");
        assertThat(recommendations.getFilters().get(5).toString()).contains("SetPath");
    }

    @Test
    void aClientOverItsLimitGets429sWithRateLimitHeadersWhileAnotherIsServedAndItRecovers() {
        String refused = null;
        for (int i = 0; i < 20 && refused == null; i++) {
            var result = recommend("flooder-key-0123456789", "u-flood").returnResult(String.class);
            if (result.getStatus().value() == 429) {
                refused = result.getResponseBodyContent() == null
                        ? ""
                        : new String(result.getResponseBodyContent(), StandardCharsets.UTF_8);
                assertThat(result.getResponseHeaders().getFirst("Retry-After")).isEqualTo("1");
                assertThat(result.getResponseHeaders().getFirst("RateLimit-Policy"))
                        .isEqualTo("\"per-client\";q=2;w=2");
                assertThat(result.getResponseHeaders().getFirst("RateLimit")).startsWith("\"per-client\";r=0;t=");
                assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            } else {
                assertThat(result.getStatus().value()).isEqualTo(200);
            }
        }
        assertThat(refused).as("a 429 within 20 back-to-back requests at 1/s").isNotNull();
        assertThat(refused).contains("\"status\":429").contains("\"error\":\"too_many_requests\"");

        recommend(POLITE, "u-polite")
                .expectStatus()
                .isOk()
                .expectHeader()
                .valueEquals("RateLimit-Policy", "\"per-client\";q=2000;w=2");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> recommend("flooder-key-0123456789", "u-flood")
                                .returnResult(String.class)
                                .getStatus()
                                .value()
                        == 200);
    }

    @Test
    void anOversizeBodyIsRefusedBeforeItCostsTheClientATokenEvenWhenChunked() {
        String big = "[" + "{\"event_id\":\"e\"},".repeat(200) + "{}]";
        for (int i = 0; i < 5; i++) {
            http.post()
                    .uri("/api/v1/events")
                    .header("X-Api-Key", "sizer-key-01234567890")
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(big)
                    .exchange()
                    .expectStatus()
                    .isEqualTo(413)
                    .expectHeader()
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader()
                    .doesNotExist("errorMessage")
                    .expectBody()
                    .jsonPath("$.error")
                    .isEqualTo("content_too_large");
        }
        // without a declared length the body is cut off while being read
        DataBuffer chunk = DefaultDataBufferFactory.sharedInstance.wrap(big.getBytes(StandardCharsets.UTF_8));
        http.post()
                .uri("/api/v1/events")
                .header("X-Api-Key", POLITE)
                .contentType(MediaType.APPLICATION_JSON)
                .body(Flux.just(chunk), DataBuffer.class)
                .exchange()
                .expectStatus()
                .isEqualTo(413)
                .expectBody()
                .jsonPath("$.error")
                .isEqualTo("content_too_large");
    }

    @Test
    void everyRefusalIsProblemDetailsWithItsStatusTypeTitleAndInstance() {
        expectProblem(
                http.get().uri("/api/v1/users/alice/recommendations").exchange(),
                401,
                "unauthenticated",
                "/api/v1/users/alice/recommendations");
        expectProblem(
                http.get().uri("/api/v1/nowhere").header("X-Api-Key", POLITE).exchange(),
                404,
                "not_found",
                "/api/v1/nowhere");
        WebTestClient.ResponseSpec wrongMethod = http.method(HttpMethod.DELETE)
                .uri("/api/v1/events")
                .header("X-Api-Key", POLITE)
                .exchange();
        wrongMethod.expectHeader().valueEquals("Allow", "POST");
        expectProblem(wrongMethod, 405, "method_not_allowed", "/api/v1/events");
        expectProblem(
                http.get()
                        .uri("/api/v1/users/alice/recommendations")
                        .header("X-Api-Key", POLITE)
                        .accept(MediaType.APPLICATION_XML)
                        .exchange(),
                406,
                "not_acceptable",
                "/api/v1/users/alice/recommendations");
        expectProblem(
                http.post()
                        .uri("/api/v1/events")
                        .header("X-Api-Key", POLITE)
                        .contentType(MediaType.TEXT_PLAIN)
                        .bodyValue("view")
                        .exchange(),
                415,
                "unsupported_media_type",
                "/api/v1/events");
        expectProblem(
                recommend(POLITE, "internal-error"), 502, "internal", "/api/v1/users/internal-error/recommendations");
    }

    @Test
    void aReadIsRetriedOnceWhenTheBackendWasUnreachableButAWriteIsNot() {
        recommend(POLITE, "flaky-once").expectStatus().isOk();
        assertThat(backend.calls("flaky-once")).isEqualTo(2);

        expectProblem(
                http.post()
                        .uri("/api/v1/events")
                        .header("X-Api-Key", POLITE)
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue("[{\"event_id\":\"unreachable\",\"user_id\":\"u\","
                                + "\"item_id\":\"i\",\"type\":\"view\"}]")
                        .exchange(),
                503,
                "unavailable",
                "/api/v1/events");
        assertThat(backend.calls("unreachable")).isEqualTo(1);
    }

    @Test
    void aBackendFailingEveryCallOpensItsBreakerAndIsNoLongerCalledButBadRequestsNeverOpenIt() {
        for (int i = 0; i < 6; i++) {
            recommend(POLITE, "bad-request").expectStatus().isBadRequest();
        }
        recommend(POLITE, "alice").expectStatus().isOk();

        for (int i = 0; i < 4; i++) {
            recommend(POLITE, "internal-error").expectStatus().isEqualTo(502);
        }
        int calls = backend.calls("internal-error");
        expectProblem(
                recommend(POLITE, "internal-error"),
                503,
                "unavailable",
                "/api/v1/users/internal-error/recommendations");
        expectProblem(recommend(POLITE, "alice"), 503, "unavailable", "/api/v1/users/alice/recommendations");
        assertThat(backend.calls("internal-error")).isEqualTo(calls);
    }

    private WebTestClient.ResponseSpec recommend(String key, String user) {
        return http.get()
                .uri("/api/v1/users/" + user + "/recommendations")
                .header("X-Api-Key", key)
                .exchange();
    }

    private static void expectProblem(WebTestClient.ResponseSpec response, int status, String error, String path) {
        response.expectStatus()
                .isEqualTo(status)
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo(status)
                .jsonPath("$.type")
                .isEqualTo("urn:recsys:problem:" + error)
                .jsonPath("$.error")
                .isEqualTo(error)
                .jsonPath("$.title")
                .isNotEmpty()
                .jsonPath("$.detail")
                .isNotEmpty()
                .jsonPath("$.instance")
                .isEqualTo(path);
    }
}
