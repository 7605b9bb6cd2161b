package io.recsys.gateway.backend;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The public edge's limits.
 *
 * @param recommendDeadline default deadline of a recommendation call to the backend
 * @param ingestDeadline default deadline of an event or catalog call to the backend
 * @param maxDeadline longest deadline a caller may ask for with {@code X-Request-Deadline-Ms}
 * @param maxBatchSize most events or items in one request (the ingestion-service enforces its own bound too)
 * @param maxRequestSize largest request body: a declared length above it is refused before the body is read, and no
 *     more than this is ever buffered while reading one (413 either way)
 */
@Validated
@ConfigurationProperties("recsys.gateway")
public record GatewayProperties(
        @DefaultValue("500ms") @NotNull Duration recommendDeadline,
        @DefaultValue("5s") @NotNull Duration ingestDeadline,
        @DefaultValue("30s") @NotNull Duration maxDeadline,
        @DefaultValue("1000") @Min(1) @Max(100_000) int maxBatchSize,
        @DefaultValue("4MB") @NotNull DataSize maxRequestSize) {}
