package io.recsys.recommendation.degradation;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Resilience4j around the two dependencies: a circuit breaker each (a dependency that keeps failing or answering slowly
 * is not called for a while: the pipeline steps down instead of waiting on it) and a bulkhead on concurrent Rank calls.
 * Only infrastructure failures count against a breaker; time limits come from each call's gRPC deadline, derived from
 * the request's own.
 */
@Component
public class Dependencies {

    private static final Set<Status.Code> FAILURES = Set.of(
            Status.Code.UNAVAILABLE,
            Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.INTERNAL,
            Status.Code.UNKNOWN,
            Status.Code.FAILED_PRECONDITION);

    private final CircuitBreaker features;
    private final CircuitBreaker inference;
    private final Bulkhead ranking;

    public Dependencies(DepthProperties properties, MeterRegistry meters) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                .slidingWindowSize(5)
                .minimumNumberOfCalls(10)
                .failureRateThreshold(50)
                .slowCallDurationThreshold(properties.targetLatency().multipliedBy(2))
                .slowCallRateThreshold(80)
                .waitDurationInOpenState(Duration.ofSeconds(2))
                .permittedNumberOfCallsInHalfOpenState(5)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .recordException(Dependencies::isFailure)
                .build();
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(config);
        this.features = breakers.circuitBreaker("feature-service");
        this.inference = breakers.circuitBreaker("inference-service");
        BulkheadRegistry bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
                .maxConcurrentCalls(properties.rankingConcurrency())
                .maxWaitDuration(Duration.ZERO)
                .build());
        this.ranking = bulkheads.bulkhead("ranking");
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(meters);
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
    }

    static boolean isFailure(Throwable error) {
        return !(error instanceof StatusRuntimeException status)
                || FAILURES.contains(status.getStatus().getCode());
    }

    public <T> T features(Supplier<T> call) {
        return features.executeSupplier(call);
    }

    public <T> T inference(Supplier<T> call) {
        return inference.executeSupplier(call);
    }

    /** A Rank call: through the bulkhead (full: refused at once) and the inference breaker. */
    public <T> T ranking(Supplier<T> call) {
        return Bulkhead.decorateSupplier(ranking, () -> inference.executeSupplier(call))
                .get();
    }

    public boolean inferenceOpen() {
        return !inference.tryAcquirePermission() || releaseProbe(inference);
    }

    public boolean featuresOpen() {
        return !features.tryAcquirePermission() || releaseProbe(features);
    }

    // tryAcquirePermission takes a permit in half-open state; give it back, the real call takes its own
    private static boolean releaseProbe(CircuitBreaker breaker) {
        breaker.releasePermission();
        return false;
    }
}
