package io.recsys.recommendation.degradation;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What counts against a dependency's circuit breaker: infrastructure failures and anything not a gRPC status, never a
 * caller's mistake such as INVALID_ARGUMENT. Named in the breakers' configuration (application.yaml).
 */
public final class DependencyFailure implements Predicate<Throwable> {

    private static final Set<Status.Code> FAILURES = Set.of(
            Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.INTERNAL,
            Status.Code.UNKNOWN,
            Status.Code.FAILED_PRECONDITION);

    @Override
    public boolean test(Throwable error) {
        return !(error instanceof StatusRuntimeException status)
                || FAILURES.contains(status.getStatus().getCode());
    }
}
