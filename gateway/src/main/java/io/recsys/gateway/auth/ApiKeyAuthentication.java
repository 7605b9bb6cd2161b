package io.recsys.gateway.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.gateway.errors.ApiException;
import java.util.List;
import java.util.Optional;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The first filter of every public route: a caller without an accepted key goes no further (a 401, before it can use up
 * anyone's rate limit); an accepted one is known by its client from here on.
 */
@Component
public class ApiKeyAuthentication implements GatewayFilter {

    public static final String API_KEY_HEADER = "X-Api-Key";

    /** The exchange attribute holding the client's name once authenticated. */
    public static final String CLIENT_ATTRIBUTE = ApiKeyAuthentication.class.getName() + ".client";

    private final ApiKeys keys;
    private final Counter rejections;

    public ApiKeyAuthentication(ApiKeys keys, MeterRegistry meters) {
        this.keys = keys;
        this.rejections = ApiKeys.rejections(meters, "http");
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        HttpHeaders headers = exchange.getRequest().getHeaders();
        Optional<String> client = keys.clientOf(
                ApiKeys.presented(headers.getFirst(API_KEY_HEADER), headers.getFirst(HttpHeaders.AUTHORIZATION)));
        if (client.isEmpty()) {
            rejections.increment();
            exchange.getResponse()
                    .getHeaders()
                    .set(HttpHeaders.WWW_AUTHENTICATE, "ApiKey header=\"" + API_KEY_HEADER + "\"");
            return Mono.error(new ApiException(
                    HttpStatus.UNAUTHORIZED, "a valid API key is required (header " + API_KEY_HEADER + ")", List.of()));
        }
        exchange.getAttributes().put(CLIENT_ATTRIBUTE, client.get());
        return chain.filter(exchange);
    }

    /** The authenticated client of an exchange that passed this filter. */
    public static Optional<String> clientOf(ServerWebExchange exchange) {
        return Optional.ofNullable(exchange.getAttribute(CLIENT_ATTRIBUTE));
    }

    @Override
    public String toString() {
        return "ApiKeyAuthentication";
    }
}
