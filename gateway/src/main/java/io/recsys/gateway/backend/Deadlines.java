package io.recsys.gateway.backend;

import io.grpc.Context;
import io.grpc.stub.AbstractStub;
import io.recsys.gateway.errors.ApiException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/** The deadline of a backend call: the caller's {@code X-Request-Deadline-Ms} when given, else the default. */
@Component
public class Deadlines {

    public static final String HEADER = "X-Request-Deadline-Ms";

    private final GatewayProperties properties;

    public Deadlines(GatewayProperties properties) {
        this.properties = properties;
    }

    public Duration recommend(String header) {
        return resolve(header, properties.recommendDeadline());
    }

    public Duration ingest(String header) {
        return resolve(header, properties.ingestDeadline());
    }

    /** The stub as is when the incoming gRPC call has a deadline (it travels along), else with {@code fallback}. */
    public static <S extends AbstractStub<S>> S callersDeadlineOr(S stub, Duration fallback) {
        return Context.current().getDeadline() == null
                ? stub.withDeadlineAfter(fallback.toNanos(), TimeUnit.NANOSECONDS)
                : stub;
    }

    private Duration resolve(String header, Duration fallback) {
        if (header == null || header.isBlank()) {
            return fallback;
        }
        long max = properties.maxDeadline().toMillis();
        try {
            long millis = Long.parseLong(header.trim());
            if (millis >= 1 && millis <= max) {
                return Duration.ofMillis(millis);
            }
        } catch (NumberFormatException e) {
            // reported below, like an out-of-range value
        }
        throw ApiException.badRequest(HEADER, "must be a whole number of milliseconds between 1 and " + max);
    }
}
