package io.recsys.gateway.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.recsys.gateway.errors.BackendUnavailableException;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.cloud.circuitbreaker.resilience4j.ReactiveResilience4JCircuitBreakerFactory;
import org.springframework.cloud.circuitbreaker.resilience4j.Resilience4JConfigBuilder;
import org.springframework.cloud.client.circuitbreaker.Customizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The routes' {@code CircuitBreaker} filters get their settings here, from {@link CircuitBreakerProperties}. */
@Configuration(proxyBeanMethods = false)
class EdgeCircuitBreakers {

    /** gRPC codes that say the backend, not the request, is at fault. */
    static final Set<Status.Code> BACKEND_FAULTS = EnumSet.of(
            Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.INTERNAL,
            Status.Code.UNKNOWN,
            Status.Code.DATA_LOSS);

    // the registries resilience4j's Spring Boot starter would make; that starter does not run on Boot 4
    @Bean
    CircuitBreakerRegistry circuitBreakerRegistry() {
        return CircuitBreakerRegistry.ofDefaults();
    }

    @Bean
    TimeLimiterRegistry timeLimiterRegistry() {
        return TimeLimiterRegistry.ofDefaults();
    }

    @Bean
    Customizer<ReactiveResilience4JCircuitBreakerFactory> breakerSettings(CircuitBreakerProperties properties) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold(properties.failureRateThreshold())
                .slidingWindowSize(properties.slidingWindowSize())
                .minimumNumberOfCalls(properties.minimumNumberOfCalls())
                .waitDurationInOpenState(properties.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(properties.permittedCallsInHalfOpenState())
                .recordException(EdgeCircuitBreakers::isBackendFault)
                .build();
        return factory -> factory.configureDefault(id ->
                new Resilience4JConfigBuilder(id).circuitBreakerConfig(config).build());
    }

    static boolean isBackendFault(Throwable failure) {
        Throwable cause = failure instanceof BackendUnavailableException e ? e.getCause() : failure;
        return cause instanceof StatusRuntimeException e
                && BACKEND_FAULTS.contains(e.getStatus().getCode());
    }
}
