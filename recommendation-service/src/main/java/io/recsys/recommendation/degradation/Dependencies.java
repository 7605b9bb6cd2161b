package io.recsys.recommendation.degradation;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * The Resilience4j circuit breakers (feature-service, inference-service) and bulkhead (ranking) around the two
 * dependencies, as configured under {@code resilience4j.*} (application.yaml): Actuator lists them, and their metrics
 * and events are Resilience4j's own.
 */
@Component
public class Dependencies {

    private final CircuitBreaker features;
    private final CircuitBreaker inference;
    private final Bulkhead ranking;

    public Dependencies(CircuitBreakerRegistry breakers, BulkheadRegistry bulkheads) {
        this.features = breakers.circuitBreaker("feature-service");
        this.inference = breakers.circuitBreaker("inference-service");
        this.ranking = bulkheads.bulkhead("ranking");
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
