package io.recsys.gateway.api;

import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.gateway.backend.Deadlines;
import io.recsys.gateway.backend.GrpcMono;
import io.recsys.gateway.errors.ApiException;
import io.recsys.gateway.errors.Problem;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
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

    @Operation(
            summary = "What this shopper should see now",
            description = "Items best first, with how deep the prediction went and, below full, why.")
    @ApiResponse(
            responseCode = "200",
            description = "the recommendations",
            headers = @Header(name = DEPTH_HEADER, description = "the depth served: full, reduced, minimal, fallback"),
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = RecommendationsJson.class)))
    @ApiResponse(
            responseCode = "400",
            description = "a bad value (limit, max_depth, user id, deadline), named in violations",
            content = @Content(mediaType = OpenApiDocs.PROBLEM_JSON, schema = @Schema(implementation = Problem.class)))
    @GetMapping(path = "/api/v1/users/{userId}/recommendations", produces = MediaType.APPLICATION_JSON_VALUE)
    public Mono<ResponseEntity<RecommendationsJson>> recommend(
            @Parameter(name = "userId", description = "the shopper; one never seen before is a cold start")
                    @PathVariable
                    String userId,
            @Parameter(description = "how many items, 1..200 (default 10)") @RequestParam(required = false)
                    String limit,
            @Parameter(description = "item ids to leave out, comma-separated") @RequestParam(required = false)
                    String exclude,
            @Parameter(description = "the deepest prediction wanted: full, reduced, minimal, fallback")
                    @RequestParam(name = "max_depth", required = false)
                    String maxDepth,
            @Parameter(description = "the caller's deadline in milliseconds (default 500, at most 30000)")
                    @RequestHeader(name = Deadlines.HEADER, required = false)
                    String deadlineHeader) {
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
    @Hidden
    @GetMapping(path = "/api/v1/users/{*rest}", produces = MediaType.APPLICATION_JSON_VALUE)
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
