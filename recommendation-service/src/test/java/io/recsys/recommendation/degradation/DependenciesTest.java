package io.recsys.recommendation.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

class DependenciesTest {

    private final Dependencies dependencies = new Dependencies(DepthProperties.defaults(), new SimpleMeterRegistry());

    @Test
    void repeatedInfrastructureFailuresOpenTheBreakerAndItThenRefusesAtOnce() {
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> dependencies.inference(() -> {
                        throw Status.UNAVAILABLE.asRuntimeException();
                    }))
                    .hasMessageContaining("UNAVAILABLE");
        }

        assertThat(dependencies.inferenceOpen()).isTrue();
        assertThatThrownBy(() -> dependencies.inference(() -> "never called"))
                .isInstanceOf(CallNotPermittedException.class);
        assertThat(dependencies.featuresOpen()).isFalse();
    }

    @Test
    void aCallersMistakeDoesNotCountAgainstTheDependency() {
        for (int i = 0; i < 12; i++) {
            assertThatThrownBy(() -> dependencies.features(() -> {
                        throw Status.INVALID_ARGUMENT.asRuntimeException();
                    }))
                    .hasMessageContaining("INVALID_ARGUMENT");
        }

        assertThat(dependencies.featuresOpen()).isFalse();
    }
}
