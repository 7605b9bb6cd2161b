package io.recsys.gateway.errors;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.gateway.tracing.TraceIds;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webflux.autoconfigure.error.ErrorWebFluxAutoConfiguration;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.ObjectMapper;

/**
 * Every error the edge answers, whoever raised it (a route's filter, a handler, the backend over gRPC, Spring's own
 * routing), becomes one {@code application/problem+json} body. It runs before Boot's default error handler
 * ({@link ErrorWebFluxAutoConfiguration}), which therefore never answers.
 */
@Component
@Order(-2)
public class ProblemDetailsHandler implements WebExceptionHandler {

    public static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

    /** The header Spring Cloud Gateway's {@code RequestSize} filter puts its explanation in. */
    private static final String REQUEST_SIZE_MESSAGE_HEADER = "errorMessage";

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsHandler.class);

    private final ObjectMapper json;

    public ProblemDetailsHandler(ObjectMapper json) {
        this.json = json;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable failure) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.error(failure);
        }
        Problem problem = problemFor(failure, exchange.getRequest(), response.getHeaders())
                .withTraceId(TraceIds.of(exchange).orElse(null));
        response.setStatusCode(HttpStatusCode.valueOf(problem.status()));
        response.getHeaders().setContentType(PROBLEM_JSON);
        byte[] body = json.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
        response.getHeaders().setContentLength(body.length);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(body)));
    }

    private Problem problemFor(Throwable failure, ServerHttpRequest request, HttpHeaders responseHeaders) {
        String instance = request.getPath().value();
        return switch (failure) {
            case ApiException e ->
                Problem.of(e.status(), Problem.codeOf(e.status()), e.getMessage(), instance, e.violations());
            case BackendUnavailableException e -> backendAnswered(e.getCause(), instance, responseHeaders);
            case StatusRuntimeException e -> backendAnswered(e, instance, responseHeaders);
            case ServerWebInputException e -> unreadableInput(e, request, instance);
            case ResponseStatusException e -> statusOnly(e, instance, responseHeaders);
            case CallNotPermittedException e -> {
                log.debug("circuit open: {}", e.getMessage());
                yield Problem.of(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "unavailable",
                        "temporarily unavailable, retry later",
                        instance,
                        List.of());
            }
            case Throwable e
            when statusAnnotationOf(e) != null -> {
                // e.g. the circuit breaker filter's ServiceUnavailableException, declared with @ResponseStatus
                ResponseStatus declared = statusAnnotationOf(e);
                yield statusOnly(
                        new ResponseStatusException(declared.code(), declared.reason()), instance, responseHeaders);
            }
            default -> {
                log.error("unexpected failure answering {} {}", request.getMethod(), instance, failure);
                yield Problem.of(
                        HttpStatus.INTERNAL_SERVER_ERROR, "internal", "the gateway failed", instance, List.of());
            }
        };
    }

    private static ResponseStatus statusAnnotationOf(Throwable e) {
        return AnnotatedElementUtils.findMergedAnnotation(e.getClass(), ResponseStatus.class);
    }

    private static Problem backendAnswered(StatusRuntimeException e, String instance, HttpHeaders responseHeaders) {
        Status.Code code = e.getStatus().getCode();
        HttpStatus status = GrpcStatusMapping.toHttp(code);
        List<Violation> violations = GrpcErrors.fieldViolations(e).stream()
                .map(v -> new Violation(v.getField(), v.getDescription()))
                .toList();
        // a backend's validation messages are for the caller; transport details of a failure are not
        String detail = switch (status) {
            case BAD_GATEWAY -> "a backend service failed";
            case SERVICE_UNAVAILABLE -> "temporarily unavailable, retry later";
            case GATEWAY_TIMEOUT -> "no answer within the deadline";
            default -> e.getStatus().getDescription();
        };
        if (status.is5xxServerError()) {
            log.warn("backend call failed: {} {}", code, e.getStatus().getDescription());
        }
        GrpcErrors.retryDelay(e)
                .ifPresent(delay -> responseHeaders.set(
                        HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (delay.toMillis() + 999) / 1000))));
        return Problem.of(
                status, GrpcStatusMapping.errorCode(code), detail == null ? code.name() : detail, instance, violations);
    }

    private static Problem statusOnly(ResponseStatusException e, String instance, HttpHeaders responseHeaders) {
        HttpStatusCode status = e.getStatusCode();
        // Allow for a 405, Accept for a 415: what the caller needs to get it right
        e.getHeaders().forEach((name, values) -> responseHeaders.put(name, values));
        String detail = e.getReason();
        String sizeMessage = responseHeaders.getFirst(REQUEST_SIZE_MESSAGE_HEADER);
        if (sizeMessage != null) {
            responseHeaders.remove(REQUEST_SIZE_MESSAGE_HEADER);
            detail = sizeMessage;
        }
        if (detail == null || detail.isBlank()) {
            detail = defaultDetail(status, instance);
        }
        // an open breaker answers every request so: its state changes are in the metrics, not one line each
        log.debug("answered {} for {}: {}", status.value(), instance, detail);
        return Problem.of(status, Problem.codeOf(status), detail, instance, List.of());
    }

    private static String defaultDetail(HttpStatusCode status, String instance) {
        return switch (status.value()) {
            case 404 -> "no such resource: " + instance;
            case 405 -> "method not allowed here; the Allow header lists those that are";
            case 406 -> "this resource answers application/json only";
            case 413 -> "request body too large";
            case 415 -> "send the body as application/json";
            case 429 -> "too many requests for this client; retry after the Retry-After seconds";
            case 503 -> "temporarily unavailable, retry later";
            case 504 -> "no answer within the deadline";
            default -> Problem.titleOf(status);
        };
    }

    private static Problem unreadableInput(ServerWebInputException e, ServerHttpRequest request, String instance) {
        if (hasCause(e, DataBufferLimitException.class)) {
            return Problem.of(
                    HttpStatus.CONTENT_TOO_LARGE, "content_too_large", "request body too large", instance, List.of());
        }
        DatabindException binding = cause(e, DatabindException.class);
        if (binding != null) {
            String field = fieldPath(binding, collectionOf(request));
            String description = "has the wrong type or format: " + binding.getOriginalMessage();
            return badRequest(
                    "malformed JSON: " + field + " " + description, instance, new Violation(field, description));
        }
        JacksonException syntax = cause(e, JacksonException.class);
        if (syntax != null || hasCause(e, DecodingException.class)) {
            String detail = syntax != null ? syntax.getOriginalMessage() : e.getReason();
            return badRequest(
                    "malformed JSON: " + detail,
                    instance,
                    new Violation(collectionOf(request), "is not valid JSON: " + detail));
        }
        String reason = e.getReason() == null ? "unreadable request" : e.getReason();
        if (e.getMethodParameter() != null && e.getMethodParameter().getParameterName() != null) {
            return badRequest(
                    reason, instance, new Violation(e.getMethodParameter().getParameterName(), reason));
        }
        return Problem.of(HttpStatus.BAD_REQUEST, "invalid_argument", reason, instance, List.of());
    }

    private static Problem badRequest(String detail, String instance, Violation violation) {
        return Problem.of(HttpStatus.BAD_REQUEST, "invalid_argument", detail, instance, List.of(violation));
    }

    // Jackson's path "[3].quantity" inside the events array becomes "events[3].quantity", the name the
    // ingestion-service gives the same field
    private static String fieldPath(DatabindException e, String collection) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : e.getPath()) {
            if (reference.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getPropertyName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        if (path.isEmpty()) {
            return collection;
        }
        return path.charAt(0) == '[' ? collection + path : path.toString();
    }

    private static String collectionOf(ServerHttpRequest request) {
        String path = request.getPath().value();
        if (path.endsWith("/events")) {
            return "events";
        }
        return path.endsWith("/items") ? "items" : "body";
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        return cause(e, type) != null;
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
