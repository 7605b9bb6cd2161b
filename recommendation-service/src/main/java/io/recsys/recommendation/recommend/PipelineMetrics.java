package io.recsys.recommendation.recommend;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The pipeline's meters: time and count of answers per depth (and first reason), time per stage. Each meter is
 * registered once and then looked up by its tags, not rebuilt on every request.
 */
@Component
class PipelineMetrics {

    private final MeterRegistry meters;
    private final Map<String, Timer> answerTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> answerCounters = new ConcurrentHashMap<>();
    private final Map<String, Timer> stageTimers = new ConcurrentHashMap<>();

    PipelineMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    void answered(String depth, String reason, Duration latency) {
        answerTimers
                .computeIfAbsent(
                        depth,
                        d -> Timer.builder("recsys.recommendation.pipeline")
                                .description("time to build one recommendation")
                                .tag("depth", d)
                                .publishPercentileHistogram()
                                .register(meters))
                .record(latency);
        answerCounters
                .computeIfAbsent(
                        depth + "/" + reason,
                        key -> Counter.builder("recsys.recommendation.depth")
                                .description("answers per depth and first reason")
                                .tag("depth", depth)
                                .tag("reason", reason)
                                .register(meters))
                .increment();
    }

    void stage(String name, long nanos) {
        stageTimers
                .computeIfAbsent(
                        name,
                        n -> Timer.builder("recsys.recommendation.stage")
                                .tag("stage", n)
                                .publishPercentileHistogram()
                                .register(meters))
                .record(nanos, TimeUnit.NANOSECONDS);
    }
}
