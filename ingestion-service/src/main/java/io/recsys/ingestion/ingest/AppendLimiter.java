package io.recsys.ingestion.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.contracts.errors.GrpcErrors;
import io.recsys.ingestion.config.IngestionProperties;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;

/**
 * Bounds the batches being appended at once. When Redis slows down, callers beyond the bound get RESOURCE_EXHAUSTED
 * with a retry hint at once, instead of piling up behind a slow store.
 */
@Component
public class AppendLimiter {

    private final Semaphore permits;
    private final IngestionProperties properties;
    private final Counter rejections;

    public AppendLimiter(IngestionProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.permits = new Semaphore(properties.maxConcurrentBatches());
        this.rejections = Counter.builder("recsys.ingestion.rejected.batches")
                .description("Batches refused while the bound was reached")
                .register(meters);
        Gauge.builder(
                        "recsys.ingestion.batches.in.flight",
                        permits,
                        p -> properties.maxConcurrentBatches() - p.availablePermits())
                .register(meters);
    }

    public <T> T run(Supplier<T> append) {
        if (!permits.tryAcquire()) {
            rejections.increment();
            throw GrpcErrors.resourceExhausted(
                    "too many batches in flight (" + properties.maxConcurrentBatches() + "); retry shortly",
                    properties.retryAfter());
        }
        try {
            return append.get();
        } finally {
            permits.release();
        }
    }
}
