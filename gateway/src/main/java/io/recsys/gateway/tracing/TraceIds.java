package io.recsys.gateway.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.handler.TracingObservationHandler;
import java.util.Optional;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/** The trace a request belongs to, when tracing is on (management.tracing.enabled). */
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
                .map(context -> context.traceId());
    }
}
