package io.recsys.gateway.api;

import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.gateway.backend.Deadlines;
import io.recsys.gateway.backend.GrpcMono;
import io.recsys.gateway.errors.ApiException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/users/{userId}/recommendations?limit=&exclude=a,b&max_depth=}. Bounds on the values are the
 * recommendation-service's; this only turns text into typed fields.
 */
@RestController
public class RecommendationsController {

    public static final String DEPTH_HEADER = "X-Prediction-Depth";

    private final RecommendationServiceGrpc.RecommendationServiceStub recommendations;
    private final Deadlines deadlines;

    public RecommendationsController(
            RecommendationServiceGrpc.RecommendationServiceStub recommendations, Deadlines deadlines) {
        this.recommendations = recommendations;
        this.deadlines = deadlines;
    }

    @GetMapping("/api/v1/users/{userId}/recommendations")
    public Mono<ResponseEntity<RecommendationsJson>> recommend(
            @PathVariable String userId,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String exclude,
            @RequestParam(name = "max_depth", required = false) String maxDepth,
            @RequestHeader(name = Deadlines.HEADER, required = false) String deadlineHeader) {
        RecommendRequest request = RecommendRequest.newBuilder()
                .setUserId(userId.trim().isEmpty() ? "" : userId)
                .setLimit(parseLimit(limit))
                .addAllExcludeItemIds(parseList(exclude))
                .setMaxDepth(parseDepth(maxDepth))
                .build();
        long deadlineNanos = deadlines.recommend(deadlineHeader).toNanos();
        return GrpcMono.<RecommendRequest, RecommendResponse>unary(
                        request, recommendations.withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)::recommend)
                .map(response -> ResponseEntity.ok()
                        .header(DEPTH_HEADER, RecommendationsJson.name(response.getDepth()))
                        .body(RecommendationsJson.from(response)));
    }

    /** {@code /api/v1/users//recommendations}: an empty user id is a bad request, not an unknown page. */
    @GetMapping("/api/v1/users/{*rest}")
    public Mono<ResponseEntity<RecommendationsJson>> recommendWithoutUser(@PathVariable String rest) {
        if (rest.equals("//recommendations")) {
            throw ApiException.badRequest("user_id", "is required");
        }
        throw new ApiException(HttpStatus.NOT_FOUND, "no such resource: /api/v1/users" + rest, List.of());
    }

    private static int parseLimit(String limit) {
        if (limit == null) {
            return 0;
        }
        try {
            int value = Integer.parseInt(limit.trim());
            if (value < 1) {
                throw ApiException.badRequest("limit", "must be at least 1");
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("limit", "must be a whole number, got '" + limit + "'");
        }
    }

    private static List<String> parseList(String csv) {
        if (csv == null || csv.isBlank()) {
            return List.of();
        }
        return Arrays.stream(csv.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private static PredictionDepth parseDepth(String depth) {
        if (depth == null || depth.isBlank()) {
            return PredictionDepth.PREDICTION_DEPTH_UNSPECIFIED;
        }
        try {
            PredictionDepth parsed =
                    PredictionDepth.valueOf("PREDICTION_DEPTH_" + depth.trim().toUpperCase(Locale.ROOT));
            if (parsed != PredictionDepth.PREDICTION_DEPTH_UNSPECIFIED) {
                return parsed;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw ApiException.badRequest("max_depth", "must be one of full, reduced, minimal, fallback");
    }
}
