package io.recsys.servicekit.redis;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How many replicas must hold a write before the platform builds on it (docs/event-log.md, "Guarantees", replicas).
 * Redis replicates asynchronously: a master that fails over to a replica loses what that replica had not received. With
 * {@code replicaAcks > 0}, the ingestion-service acknowledges a batch, and the feature-service moves from one step of a
 * round to the next, only once that many replicas of every master involved have the writes ({@code WAIT}); a batch they
 * do not confirm in time is refused ({@code UNAVAILABLE}) and safe to retry.
 *
 * @param replicaAcks replicas that must confirm each write; 0 (no waiting) for a Redis without replicas
 * @param replicaAckTimeout how long to wait for them; below the Redis command timeout, which would cut the wait short
 */
@Validated
@ConfigurationProperties("recsys.redis")
public record RedisReplicationProperties(
        @DefaultValue("0") @Min(0) @Max(16) int replicaAcks,
        @DefaultValue("500ms") Duration replicaAckTimeout) {}
