package io.recsys.gateway.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.gateway.errors.ApiError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectMapper;

/**
 * The public API ({@code /api/**}) answers only callers with an accepted key; Actuator (probes, metrics) stays
 * reachable for the cluster, whose network policy keeps it from the outside.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ApiKeyWebFilter implements WebFilter {

    static final String API_KEY_HEADER = "X-Api-Key";

    private final ApiKeys keys;
    private final Counter rejections;
    private final byte[] unauthorizedBody;

    public ApiKeyWebFilter(ApiKeys keys, MeterRegistry meters, ObjectMapper json) {
        this.keys = keys;
        this.rejections = ApiKeys.rejections(meters, "http");
        this.unauthorizedBody = json.writeValueAsString(new ApiError(
                        HttpStatus.UNAUTHORIZED.value(),
                        "unauthenticated",
                        "a valid API key is required (header " + API_KEY_HEADER + ")",
                        List.of()))
                .getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!keys.required() || !exchange.getRequest().getPath().value().startsWith("/api/")) {
            return chain.filter(exchange);
        }
        HttpHeaders headers = exchange.getRequest().getHeaders();
        if (keys.accepts(
                ApiKeys.presented(headers.getFirst(API_KEY_HEADER), headers.getFirst(HttpHeaders.AUTHORIZATION)))) {
            return chain.filter(exchange);
        }
        rejections.increment();
        ServerHttpResponse response = exchange.getResponse();
        response.setStatusCode(HttpStatus.UNAUTHORIZED);
        response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "ApiKey header=\"" + API_KEY_HEADER + "\"");
        response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
        return response.writeWith(Mono.just(response.bufferFactory().wrap(unauthorizedBody)));
    }
}
