package io.recsys.servicekit;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusException;
import io.lettuce.core.RedisCommandExecutionException;
import io.recsys.contracts.errors.GrpcErrors;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.RedisSystemException;

class GrpcErrorTranslationTest {

    private final GrpcErrorTranslation translation = new GrpcErrorTranslation(Duration.ofSeconds(2));

    @Test
    void statusesPassThroughWithTheirDetails() {
        StatusException e = translation.handleException(GrpcErrors.invalidArgument("limit", "too big"));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(GrpcErrors.fieldViolations(e))
                .singleElement()
                .satisfies(v -> assertThat(v.getField()).isEqualTo("limit"));
    }

    @Test
    void anUnreachableStoreIsUnavailableWithARetryHint() {
        for (RuntimeException outage : new RuntimeException[] {
            new RedisConnectionFailureException("connection refused"),
            new QueryTimeoutException("command timed out"),
            new RedisSystemException("busy", new RedisCommandExecutionException("LOADING Redis is loading the dataset"))
        }) {
            StatusException e = translation.handleException(outage);

            assertThat(e.getStatus().getCode()).as(outage.toString()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(GrpcErrors.retryDelay(e)).contains(Duration.ofSeconds(2));
        }
    }

    @Test
    void aStoreThatAnswersWithAnErrorIsABugNotAnOutage() {
        StatusException e = translation.handleException(
                new RedisSystemException("script", new RedisCommandExecutionException("ERR Error running script")));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(e.getStatus().getDescription()).isEqualTo("internal error");
    }

    @Test
    void anythingElseIsInternalWithoutLeakingItsMessage() {
        StatusException e = translation.handleException(new IllegalStateException("secret detail"));

        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
        assertThat(e.getStatus().getDescription()).doesNotContain("secret");
    }
}
