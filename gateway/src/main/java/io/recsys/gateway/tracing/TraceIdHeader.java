package io.recsys.gateway.tracing;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/** Every answer, errors included, says which trace it belongs to ({@value TraceIds#HEADER}) when tracing is on. */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class TraceIdHeader implements WebFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        exchange.getResponse().beforeCommit(() -> {
            TraceIds.of(exchange)
                    .ifPresent(id -> exchange.getResponse().getHeaders().set(TraceIds.HEADER, id));
            return Mono.empty();
        });
        return chain.filter(exchange);
    }
}
