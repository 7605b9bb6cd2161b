package io.recsys.servicekit.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A trace across the event log: the ingestion-service writes the W3C {@code traceparent} of the request into each log
 * entry it appends, and the feature-service records the entry's application as a span of that trace. Without tracing
 * (no {@link Tracer}, or a request not sampled), both do nothing.
 */
public final class LogTracing {

    /** For a service without tracing, and for tests. */
    public static final LogTracing OFF = new LogTracing(null, null);

    private static final String TRACEPARENT = "traceparent";

    private final Tracer tracer;
    private final Propagator propagator;

    public LogTracing(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    /** The {@code traceparent} of the span in scope here; empty without one. */
    public String currentTraceParent() {
        if (tracer == null || propagator == null) {
            return "";
        }
        Span span = tracer.currentSpan();
        // a trace nobody records (tracing off, or not sampled) is not worth its bytes in every log entry
        if (span == null || !Boolean.TRUE.equals(span.context().sampled())) {
            return "";
        }
        Map<String, String> carrier = new HashMap<>(2);
        propagator.inject(span.context(), carrier, Map::put);
        return carrier.getOrDefault(TRACEPARENT, "");
    }

    /** Records work done from {@code start} to {@code end} as a span of the trace {@code traceParent} names. */
    public void record(String traceParent, String name, Instant start, Instant end, Map<String, String> tags) {
        if (tracer == null || propagator == null || traceParent == null || traceParent.isEmpty()) {
            return;
        }
        Span.Builder builder = propagator
                .extract(Map.of(TRACEPARENT, traceParent), (carrier, key) -> carrier.get(key))
                .name(name)
                .startTimestamp(nanos(start), TimeUnit.NANOSECONDS);
        tags.forEach(builder::tag);
        builder.start().end(nanos(end), TimeUnit.NANOSECONDS);
    }

    private static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }
}
