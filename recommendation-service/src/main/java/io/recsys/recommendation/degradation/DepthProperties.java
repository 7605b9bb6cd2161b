package io.recsys.recommendation.degradation;

import io.recsys.contracts.platform.PlatformDefaults;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Prediction depth: how much work each level does and when the controller lowers it.
 *
 * @param full / reduced / minimal candidates asked of each source at that level (defaults: the contracts'
 *     platform.properties, set from the quality the python-worker's evaluation measures per mix; the worker evaluates
 *     its bundles at the same levels)
 * @param targetLatency the latency objective: above it, while requests queue (more than one in flight), the controller
 *     steps down. Set it from the measured cost of a FULL answer at the load the service must carry at FULL (the p90 of
 *     {@code recsys.recommendation.pipeline{depth=full}} in a steady run of ./recsys bench recommendations) with room
 *     above it: a target below that cost sheds the platform's own slowness instead of overload. 100 ms: on the 2-core
 *     development machine a FULL answer's p90 at 100 requests/s is a few tens of ms (docs/hot-path.md)
 * @param warmUp after start, how long latency is not taken for load (a cold JVM is slow) and falls set no back-off
 * @param capacity requests in flight the service handles at full depth; beyond it the controller steps down
 * @param adjustEvery how often the quality factor is revised
 * @param stepDown quality lost per revision at twice the target (proportional to the overshoot)
 * @param stepUp quality regained per revision while latency and concurrency are well below target
 * @param headroom "well below": latency under this share of the target and in-flight under this share of capacity
 * @param probeBackoff after falling from a level, how long before trying it again (doubles on each fall, up to 64x)
 * @param deadlineFull / deadlineReduced / deadlineMinimal time left on a request's deadline each level needs
 * @param defaultDeadline the budget of a request that arrives without a deadline
 * @param fallbackRefresh how often the cached popular list behind FALLBACK is refreshed
 * @param fallbackSize items in that cached popular list (the trending list keeps a fifth as many; default: the
 *     contracts' platform.properties, which the python-worker reads too)
 * @param fallbackTimeout longest wait for the feature-service while refreshing it
 */
@Validated
@ConfigurationProperties(DepthProperties.PREFIX)
public record DepthProperties(
        @Valid LevelSize full,
        @Valid LevelSize reduced,
        @Valid LevelSize minimal,
        @DefaultValue("100ms") @NotNull Duration targetLatency,
        @DefaultValue("32") @Min(1) int capacity,
        @DefaultValue("100ms") @NotNull Duration adjustEvery,
        @DefaultValue("1m") @NotNull Duration warmUp,

        @DefaultValue("0.25") @DecimalMin("0.01") @DecimalMax("1")
        double stepDown,

        @DefaultValue("0.02") @DecimalMin("0.001") @DecimalMax("1")
        double stepUp,

        @DefaultValue("0.6") @DecimalMin("0.1") @DecimalMax("1")
        double headroom,

        @DefaultValue("2s") @NotNull Duration probeBackoff,
        @DefaultValue("40ms") @NotNull Duration deadlineFull,
        @DefaultValue("20ms") @NotNull Duration deadlineReduced,
        @DefaultValue("8ms") @NotNull Duration deadlineMinimal,
        @DefaultValue("250ms") @NotNull Duration defaultDeadline,
        @DefaultValue("5s") @NotNull Duration fallbackRefresh,
        @Min(1) @Max(10_000) Integer fallbackSize,
        @DefaultValue("500ms") @NotNull Duration fallbackTimeout) {

    public static final String PREFIX = "recsys.recommendation.depth";

    public DepthProperties {
        full = full == null ? LevelSize.of(PlatformDefaults.DEPTH_FULL) : full;
        reduced = reduced == null ? LevelSize.of(PlatformDefaults.DEPTH_REDUCED) : reduced;
        minimal = minimal == null ? LevelSize.of(PlatformDefaults.DEPTH_MINIMAL) : minimal;
        fallbackSize = fallbackSize == null ? PlatformDefaults.CACHED_POPULAR : fallbackSize;
    }

    /** Candidates asked of each source; 0 leaves the source out at that level. */
    public record LevelSize(
            @Min(0) int embedding,
            @Min(0) int cooccurrence,
            @Min(0) int popular) {

        static LevelSize of(PlatformDefaults.CandidateCounts counts) {
            return new LevelSize(counts.embedding(), counts.cooccurrence(), counts.popular());
        }
    }
}
