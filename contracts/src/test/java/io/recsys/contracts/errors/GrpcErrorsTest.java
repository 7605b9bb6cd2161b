package io.recsys.contracts.errors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {

    @Test
    void fieldViolationsTravelAsBadRequestDetails() {
        FieldViolations violations =
                new FieldViolations().add("limit", "must be between 1 and 200").add("user_id", "is required");

        assertThatThrownBy(violations::throwIfAny).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription())
                    .isEqualTo("limit: must be between 1 and 200; user_id: is required");
            assertThat(GrpcErrors.fieldViolations(e))
                    .extracting(v -> v.getField())
                    .containsExactly("limit", "user_id");
        });
    }

    @Test
    void noViolationsThrowNothing() {
        new FieldViolations().throwIfAny();
    }

    @Test
    void unavailableCarriesARetryHint() {
        StatusRuntimeException e = GrpcErrors.unavailable("redis down", Duration.ofMillis(1500));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(GrpcErrors.retryDelay(e)).contains(Duration.ofMillis(1500));
        assertThat(GrpcErrors.fieldViolations(e)).isEmpty();
    }
}
