package io.recsys.gateway.routes;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

import io.recsys.gateway.auth.ApiKeyAuthentication;
import io.recsys.gateway.backend.GatewayProperties;
import io.recsys.gateway.errors.BackendUnavailableException;
import io.recsys.gateway.limits.ClientKeyResolver;
import io.recsys.gateway.limits.ClientRateLimiter;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.GatewayFilterSpec;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.web.server.ServerWebExchange;

/**
 * Every public path is one of these routes. Each runs the same filters in this order, then its own:
 *
 * <ol>
 *   <li>{@code ApiKeyAuthentication}: no accepted key, a 401, before anything is spent on the request;
 *   <li>{@code RequestSize}: a body declared larger than {@code recsys.gateway.max-request-size}, a 413;
 *   <li>{@code RequestRateLimiter}: the client's token bucket in Redis ({@link ClientRateLimiter}), a 429 when empty;
 *   <li>{@code CircuitBreaker} per backend: a backend failing most calls is not called for a while (503);
 *   <li>{@code Retry}, on the idempotent read only: once, when the backend could not be reached at all;
 * </ol>
 *
 * and then forward to the handler that translates JSON to the backend's gRPC call and back (the controllers in
 * {@code api}). A forwarded request is dispatched again; the {@link #fromTheCaller} predicate keeps it from matching a
 * route a second time, so it reaches the handler. Handlers are mapped after the routes
 * ({@code spring.cloud.gateway.server.webflux.handler-mapping.order}), so no caller reaches one around its route.
 */
@Configuration(proxyBeanMethods = false)
class EdgeRoutes {

    static final String RECOMMENDATIONS = "/api/v1/users/{userId}/recommendations";
    static final String EVENTS = "/api/v1/events";
    static final String CATALOG_ITEMS = "/api/v1/catalog/items";

    @Bean
    RouteLocator publicApi(
            RouteLocatorBuilder routes,
            ApiKeyAuthentication authentication,
            ClientRateLimiter rateLimiter,
            ClientKeyResolver clients,
            GatewayProperties properties) {
        EdgeFilters edge = new EdgeFilters(authentication, rateLimiter, clients, properties);
        return routes.routes()
                .route(
                        "recommendations",
                        route -> route.path(RECOMMENDATIONS)
                                .and()
                                .method(HttpMethod.GET)
                                .and()
                                .predicate(EdgeRoutes::fromTheCaller)
                                .filters(filters -> edge.common(filters, "recommendation-service")
                                        .retry(retry -> retry.setRetries(1)
                                                .setMethods(HttpMethod.GET)
                                                .setSeries()
                                                .setStatuses()
                                                .setExceptions(BackendUnavailableException.class))
                                        // forward: sets a fixed path; this puts the caller's user id back
                                        .setPath(RECOMMENDATIONS))
                                .uri("forward:/api/v1/users"))
                .route(
                        "events",
                        route -> route.path(EVENTS)
                                .and()
                                .method(HttpMethod.POST)
                                .and()
                                .predicate(EdgeRoutes::fromTheCaller)
                                .filters(filters -> edge.common(filters, "ingestion-service"))
                                .uri("forward:" + EVENTS))
                .route(
                        "catalog-items",
                        route -> route.path(CATALOG_ITEMS)
                                .and()
                                .method(HttpMethod.PUT)
                                .and()
                                .predicate(EdgeRoutes::fromTheCaller)
                                .filters(filters -> edge.common(filters, "ingestion-service"))
                                .uri("forward:" + CATALOG_ITEMS))
                .build();
    }

    /** True until a route has taken the exchange: its forward to the handler is not routed again. */
    static boolean fromTheCaller(ServerWebExchange exchange) {
        return exchange.getAttribute(GATEWAY_ROUTE_ATTR) == null;
    }

    private record EdgeFilters(
            ApiKeyAuthentication authentication,
            ClientRateLimiter rateLimiter,
            ClientKeyResolver clients,
            GatewayProperties properties) {

        GatewayFilterSpec common(GatewayFilterSpec filters, String backend) {
            return filters.filter(authentication)
                    .setRequestSize(properties.maxRequestSize())
                    .requestRateLimiter(
                            limit -> limit.setRateLimiter(rateLimiter).setKeyResolver(clients))
                    .circuitBreaker(breaker -> breaker.setName(backend));
        }
    }
}
