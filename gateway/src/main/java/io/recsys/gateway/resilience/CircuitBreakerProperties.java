package io.recsys.gateway.resilience;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The edge's circuit breakers, one per backend service. Only a backend's own failures count (unreachable, deadline
 * exceeded, shedding load, internal errors); a caller's bad request never opens a breaker.
 *
 * @param failureRateThreshold percentage of failed calls, among the last {@code slidingWindowSize}, that opens it
 * @param slidingWindowSize how many of the latest calls are judged
 * @param minimumNumberOfCalls no verdict on fewer calls than this
 * @param waitInOpenState how long an open breaker answers 503 without calling the backend
 * @param permittedCallsInHalfOpenState trial calls after that wait, which decide whether it closes again
 */
@Validated
@ConfigurationProperties("recsys.gateway.circuit-breaker")
public record CircuitBreakerProperties(
        @DefaultValue("50") @Min(1) @Max(100) int failureRateThreshold,
        @DefaultValue("100") @Min(1) int slidingWindowSize,
        @DefaultValue("20") @Min(1) int minimumNumberOfCalls,
        @DefaultValue("5s") @NotNull Duration waitInOpenState,
        @DefaultValue("5") @Min(1) int permittedCallsInHalfOpenState) {}
