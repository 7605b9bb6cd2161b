package io.recsys.gateway.errors;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A backend that could not be reached, without saying when to come back: the one failure a retry of an idempotent read
 * may cure (a connection reset by a replica that went away). The route's {@code Retry} filter retries on this type
 * only; a backend that asks for a delay ({@code RetryInfo}) or answered at all is not retried.
 */
public class BackendUnavailableException extends RuntimeException {

    public BackendUnavailableException(StatusRuntimeException cause) {
        super(cause.getMessage(), cause);
    }

    @Override
    public synchronized StatusRuntimeException getCause() {
        return (StatusRuntimeException) super.getCause();
    }

    /** {@code failure} as this type when a retry may cure it, else unchanged. */
    public static Throwable classify(Throwable failure) {
        if (failure instanceof StatusRuntimeException e
                && e.getStatus().getCode() == Status.Code.UNAVAILABLE
                && io.recsys.contracts.errors.GrpcErrors.retryDelay(e).isEmpty()) {
            return new BackendUnavailableException(e);
        }
        return failure;
    }
}
