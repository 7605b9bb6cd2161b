package io.recsys.gateway.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import java.util.Optional;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/** The trace a request belongs to, when tracing is on ({@code recsys.tracing.enabled}). */
public final class TraceIds {

    /** The response header that names it, so that a caller can quote it when something went wrong. */
    public static final String HEADER = "X-Trace-Id";

    private TraceIds() {}

    public static Optional<String> of(ServerWebExchange exchange) {
        return ServerRequestObservationContext.findCurrent(exchange.getAttributes())
                .map(context -> (TracingObservationHandler.TracingContext)
                        context.get(TracingObservationHandler.TracingContext.class))
                .map(tracing -> tracing.getSpan())
                .map(Span::context)
                // only a trace that is recorded: with tracing off the id would lead nowhere
                .filter(context -> Boolean.TRUE.equals(context.sampled()))
                .map(context -> context.traceId());
    }
}
