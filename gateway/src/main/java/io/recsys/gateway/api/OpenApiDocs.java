package io.recsys.gateway.api;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.recsys.gateway.auth.ApiKeyAuthentication;
import io.swagger.v3.core.jackson.ModelResolver;
import io.swagger.v3.core.util.Json31;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeIn;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import java.util.Map;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The public API's OpenAPI 3.1 document ({@code /v3/api-docs}, Swagger UI at {@code /swagger-ui.html}), generated from
 * the handlers' annotations; the errors every route (or every route with a body) can answer are added to each operation
 * here, once.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(
        info =
                @Info(
                        title = "Recommendation platform",
                        version = "v1",
                        description = "Recommendations for a shopper, the events that change them, the catalogue. "
                                + "Every error is RFC 9457 problem details (application/problem+json)."),
        security = @SecurityRequirement(name = OpenApiDocs.API_KEY))
@SecurityScheme(
        name = OpenApiDocs.API_KEY,
        type = SecuritySchemeType.APIKEY,
        in = SecuritySchemeIn.HEADER,
        paramName = ApiKeyAuthentication.API_KEY_HEADER)
class OpenApiDocs {

    static final String API_KEY = "api-key";
    static final String PROBLEM_JSON = "application/problem+json";
    static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";

    /** What the edge's filters and the backends can answer on every route, whatever the route does. */
    private static final Map<String, String> EVERY_ROUTE = Map.of(
            "401", "no API key, or one not accepted",
            "406", "the Accept header rules out JSON",
            "429", "the client's rate limit is used up (Retry-After, RateLimit headers); or a backend sheds load",
            "502", "a backend failed",
            "503", "a backend is unavailable or its circuit breaker is open (Retry-After when known)",
            "504", "no answer within the deadline (X-Request-Deadline-Ms, or the route's default)");

    /** Schemas named as the JSON spells them: snake_case, like every public body. */
    @Bean
    ModelResolver snakeCaseSchemas() {
        return new ModelResolver(Json31.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE));
    }

    /** And what every route that takes a body can answer. */
    private static final Map<String, String> WITH_A_BODY = Map.of(
            "413", "the body is larger than recsys.gateway.max-request-size",
            "415", "the body is not application/json");

    @Bean
    OperationCustomizer everyRoutesErrors() {
        return (operation, handler) -> {
            EVERY_ROUTE.forEach((status, description) -> addIfAbsent(operation, status, description));
            if (operation.getRequestBody() != null) {
                WITH_A_BODY.forEach((status, description) -> addIfAbsent(operation, status, description));
            }
            return operation;
        };
    }

    private static void addIfAbsent(io.swagger.v3.oas.models.Operation operation, String status, String description) {
        if (!operation.getResponses().containsKey(status)) {
            operation.getResponses().addApiResponse(status, problem(description));
        }
    }

    static ApiResponse problem(String description) {
        return new ApiResponse()
                .description(description)
                .content(new Content()
                        .addMediaType(PROBLEM_JSON, new MediaType().schema(new Schema<>().$ref(PROBLEM_SCHEMA))));
    }
}
