package io.recsys.recommendation.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.springboot.bulkhead.autoconfigure.BulkheadAutoConfiguration;
import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The breakers and the bulkhead as the service configures them: its own application.yaml, Resilience4j's beans. */
class DependenciesTest {

    private final ApplicationContextRunner service = new ApplicationContextRunner()
            .withInitializer(new ConfigDataApplicationContextInitializer())
            .withConfiguration(
                    AutoConfigurations.of(CircuitBreakerAutoConfiguration.class, BulkheadAutoConfiguration.class))
            .withBean(Dependencies.class);

    @Test
    void theBreakersAreResilience4jsOwnAsConfigured() {
        service.run(context -> {
            var breaker = context.getBean(CircuitBreakerRegistry.class).circuitBreaker("inference-service");
            assertThat(breaker.getCircuitBreakerConfig().getSlowCallDurationThreshold())
                    .isEqualTo(Duration.ofMillis(200));
            assertThat(breaker.getCircuitBreakerConfig().getMinimumNumberOfCalls())
                    .isEqualTo(10);
        });
    }

    @Test
    void repeatedInfrastructureFailuresOpenTheBreakerAndItThenRefusesAtOnce() {
        service.run(context -> {
            Dependencies dependencies = context.getBean(Dependencies.class);
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
        });
    }

    @Test
    void aCallersMistakeDoesNotCountAgainstTheDependency() {
        service.run(context -> {
            Dependencies dependencies = context.getBean(Dependencies.class);
            for (int i = 0; i < 12; i++) {
                assertThatThrownBy(() -> dependencies.features(() -> {
                            throw Status.INVALID_ARGUMENT.asRuntimeException();
                        }))
                        .hasMessageContaining("INVALID_ARGUMENT");
            }

            assertThat(dependencies.featuresOpen()).isFalse();
        });
    }

    @Test
    void rankCallsBeyondTheBulkheadAreRefusedAtOnce() {
        service.run(context -> {
            Dependencies dependencies = context.getBean(Dependencies.class);
            int allowed = 16; // resilience4j.bulkhead.instances.ranking.max-concurrent-calls
            CountDownLatch inside = new CountDownLatch(allowed);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService callers = Executors.newFixedThreadPool(allowed);
            try {
                for (int i = 0; i < allowed; i++) {
                    var unused = callers.submit(() -> dependencies.ranking(() -> {
                        inside.countDown();
                        try {
                            return release.await(1, TimeUnit.MINUTES);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return false;
                        }
                    }));
                }
                assertThat(inside.await(1, TimeUnit.MINUTES)).isTrue();

                assertThatThrownBy(() -> dependencies.ranking(() -> "one too many"))
                        .isInstanceOf(BulkheadFullException.class);
            } finally {
                release.countDown();
                callers.shutdown();
            }
        });
    }
}
