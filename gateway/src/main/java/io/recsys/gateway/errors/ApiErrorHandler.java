package io.recsys.gateway.errors;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.recsys.contracts.errors.GrpcErrors;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ServerWebInputException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

/** Every failure becomes a JSON error with the right status; bad input is a 400 naming the field. */
@RestControllerAdvice
public class ApiErrorHandler {

    private static final Logger log = LoggerFactory.getLogger(ApiErrorHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<ApiError> gatewayFound(ApiException e) {
        return ResponseEntity.status(e.status())
                .body(new ApiError(e.status().value(), code(e.status()), e.getMessage(), e.violations()));
    }

    @ExceptionHandler(StatusRuntimeException.class)
    ResponseEntity<ApiError> backendAnswered(StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        HttpStatus status = GrpcStatusMapping.toHttp(code);
        List<ApiError.Violation> violations = GrpcErrors.fieldViolations(e).stream()
                .map(v -> new ApiError.Violation(v.getField(), v.getDescription()))
                .toList();
        // a backend's validation messages are for the caller; transport details of a failure are not
        String message = switch (status) {
            case BAD_GATEWAY -> "a backend service failed";
            case SERVICE_UNAVAILABLE -> "temporarily unavailable, retry later";
            case GATEWAY_TIMEOUT -> "no answer within the deadline";
            default -> e.getStatus().getDescription();
        };
        if (status.is5xxServerError()) {
            log.warn("backend call failed: {} {}", code, e.getStatus().getDescription());
        }
        ResponseEntity.BodyBuilder response = ResponseEntity.status(status);
        GrpcErrors.retryDelay(e)
                .ifPresent(delay -> response.header(
                        HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (delay.toMillis() + 999) / 1000))));
        return response.body(new ApiError(
                status.value(),
                GrpcStatusMapping.errorCode(code),
                message == null ? code.name() : message,
                violations));
    }

    @ExceptionHandler(ServerWebInputException.class)
    ResponseEntity<ApiError> unreadableInput(ServerWebInputException e, ServerHttpRequest request) {
        if (hasCause(e, DataBufferLimitException.class)) {
            HttpStatus status = HttpStatus.CONTENT_TOO_LARGE;
            return ResponseEntity.status(status)
                    .body(new ApiError(status.value(), code(status), "request body too large", List.of()));
        }
        DatabindException binding = cause(e, DatabindException.class);
        if (binding != null) {
            String field = fieldPath(binding, collectionOf(request));
            String description = "has the wrong type or format: " + binding.getOriginalMessage();
            return badRequest(
                    "malformed JSON: " + field + " " + description,
                    List.of(new ApiError.Violation(field, description)));
        }
        JacksonException syntax = cause(e, JacksonException.class);
        if (syntax != null || hasCause(e, DecodingException.class)) {
            String detail = syntax != null ? syntax.getOriginalMessage() : e.getReason();
            return badRequest(
                    "malformed JSON: " + detail,
                    List.of(new ApiError.Violation(collectionOf(request), "is not valid JSON: " + detail)));
        }
        String reason = e.getReason() == null ? "unreadable request" : e.getReason();
        return badRequest(
                reason,
                e.getMethodParameter() != null && e.getMethodParameter().getParameterName() != null
                        ? List.of(new ApiError.Violation(e.getMethodParameter().getParameterName(), reason))
                        : List.of());
    }

    private static ResponseEntity<ApiError> badRequest(String message, List<ApiError.Violation> violations) {
        return ResponseEntity.badRequest().body(new ApiError(400, "invalid_argument", message, violations));
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

    private static String code(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "invalid_argument";
            default -> status.name().toLowerCase(Locale.ROOT);
        };
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
