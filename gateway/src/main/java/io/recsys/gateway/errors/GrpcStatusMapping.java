package io.recsys.gateway.errors;

import io.grpc.Status;
import org.springframework.http.HttpStatus;

/** Which HTTP status a backend's gRPC status becomes at the public edge. */
public final class GrpcStatusMapping {

    private GrpcStatusMapping() {}

    public static HttpStatus toHttp(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
            case FAILED_PRECONDITION -> HttpStatus.UNPROCESSABLE_CONTENT;
            case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case UNIMPLEMENTED -> HttpStatus.NOT_IMPLEMENTED;
            case UNAVAILABLE, CANCELLED -> HttpStatus.SERVICE_UNAVAILABLE;
            case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
            // a backend's own failure is not the gateway's: 502, never 500
            default -> HttpStatus.BAD_GATEWAY;
        };
    }

    /** The error code in JSON bodies, e.g. {@code invalid_argument}. */
    public static String errorCode(Status.Code code) {
        return code.name().toLowerCase(java.util.Locale.ROOT);
    }
}
