package io.recsys.contracts.errors;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import com.google.rpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The platform's error conventions on gRPC: rich {@code google.rpc.Status} with standard details, so that every caller
 * (the gateway, internal services, Python) can read field violations and retry hints.
 */
public final class GrpcErrors {

    private GrpcErrors() {}

    public static StatusRuntimeException invalidArgument(List<BadRequest.FieldViolation> violations) {
        String message = violations.stream()
                .map(v -> v.getField() + ": " + v.getDescription())
                .collect(Collectors.joining("; "));
        Status status = Status.newBuilder()
                .setCode(Code.INVALID_ARGUMENT_VALUE)
                .setMessage(message)
                .addDetails(Any.pack(BadRequest.newBuilder()
                        .addAllFieldViolations(violations)
                        .build()))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    public static StatusRuntimeException invalidArgument(String field, String description) {
        return invalidArgument(new FieldViolations().add(field, description).list());
    }

    /** UNAVAILABLE with a {@code RetryInfo} telling the caller when trying again makes sense. */
    public static StatusRuntimeException unavailable(String message, Duration retryAfter) {
        return withRetry(Code.UNAVAILABLE, message, retryAfter);
    }

    /** RESOURCE_EXHAUSTED with a {@code RetryInfo}: the caller should back off or degrade. */
    public static StatusRuntimeException resourceExhausted(String message, Duration retryAfter) {
        return withRetry(Code.RESOURCE_EXHAUSTED, message, retryAfter);
    }

    private static StatusRuntimeException withRetry(Code code, String message, Duration retryAfter) {
        RetryInfo retry = RetryInfo.newBuilder()
                .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                        .setSeconds(retryAfter.toSeconds())
                        .setNanos(retryAfter.toNanosPart()))
                .build();
        Status status = Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .addDetails(Any.pack(retry))
                .build();
        return StatusProto.toStatusRuntimeException(status);
    }

    /** The field violations a failed call carried, if any. */
    public static List<BadRequest.FieldViolation> fieldViolations(Throwable error) {
        return detail(error, BadRequest.class)
                .map(BadRequest::getFieldViolationsList)
                .orElse(List.of());
    }

    /** The retry delay a failed call suggested, if any. */
    public static Optional<Duration> retryDelay(Throwable error) {
        return detail(error, RetryInfo.class)
                .map(info -> Duration.ofSeconds(
                        info.getRetryDelay().getSeconds(), info.getRetryDelay().getNanos()));
    }

    private static <T extends com.google.protobuf.Message> Optional<T> detail(Throwable error, Class<T> type) {
        Status status = StatusProto.fromThrowable(error);
        if (status == null) {
            return Optional.empty();
        }
        for (Any any : status.getDetailsList()) {
            if (any.is(type)) {
                try {
                    return Optional.of(any.unpack(type));
                } catch (InvalidProtocolBufferException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
